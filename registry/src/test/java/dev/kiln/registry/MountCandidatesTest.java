package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.TransportOptions;
import dev.kiln.testing.HostileRegistry;
import dev.kiln.testing.MiniDistribution;
import java.io.ByteArrayInputStream;
import java.nio.file.FileSystems;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which repositories a destination mounts from: the run's sources on its registry first, then what the run pushed to. */
class MountCandidatesTest {
    @Test
    void sourcesFirstThenPushedOnTheSameRegistryOnly() {
        MountCandidates m = new MountCandidates();
        m.pushed("reg.example", "team/old");
        m.read("reg.example", "team/src");
        m.read("other.example", "team/elsewhere");
        m.read("docker.io", "library/alpine");
        assertEquals(List.of("team/src", "team/old"), m.forDestination("REG.example", "team/new"));
        assertEquals(List.of("team/old"), m.forDestination("reg.example", "team/src"), "never from itself");
        assertEquals(List.of("library/alpine"), m.forDestination("index.docker.io", "me/alpine"), "Docker Hub by any name");
        assertEquals(List.of(), m.forDestination("third.example", "x"));
    }

    @Test
    void aSecondDestinationOfOneTransportMountsFromTheFirst() throws Exception {
        SecurityFixture f = new SecurityFixture();
        MiniDistribution mini = new MiniDistribution();
        try (HostileRegistry registry = HostileRegistry.start(2, mini)) {
            RegistryTransport t = new RegistryTransport(f.options());
            try (RegistryDestination first = (RegistryDestination) t.openDestination(
                    ImageReference.parse("docker://" + registry.address() + "/team/a:1"), FileSystems.getDefault(), TransportOptions.defaults())) {
                first.putBlob(f.layerDescriptor, new ByteArrayInputStream(f.layer));
            }
            try (RegistryDestination second = (RegistryDestination) t.openDestination(
                    ImageReference.parse("docker://" + registry.address() + "/team/b:1"), FileSystems.getDefault(), TransportOptions.defaults())) {
                assertTrue(second.hasBlob(f.layerDescriptor), "mounted from team/a, pushed earlier in the run");
            }
            assertEquals(1, registry.requests().stream().filter(r -> r.uri().contains("mount=") && r.uri().contains("from=team/a")).count());
        }
    }
}
