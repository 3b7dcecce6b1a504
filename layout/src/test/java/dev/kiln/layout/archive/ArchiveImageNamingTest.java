package dev.kiln.layout.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which image of an archive a name picks: a full name in {@code ref.name} is also found by its
 * familiar form and the other way round, a bare tag only as a tag; several entries of one image
 * count as one; an empty archive says so. A docker-archive's entries carry the timestamp asked for.
 */
class ArchiveImageNamingTest {
    static Descriptor entry(String seed, String refName) {
        Descriptor d = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(seed), 100);
        return refName == null ? d : d.withAnnotations(Map.of(MediaTypes.ANNOTATION_REF_NAME, refName));
    }

    @Test
    void aFamiliarNameAndItsFullFormFindEachOther() {
        ImageIndex index = new ImageIndex(MediaTypes.OCI_INDEX, List.of(entry("a", "hello:1.0"),
                entry("b", "docker.io/library/other:2"), entry("c", "latest")));
        assertEquals(Digest.sha256("a"), IndexEntries.resolve(index, "docker.io/library/hello:1.0", "x").digest());
        assertEquals(Digest.sha256("a"), IndexEntries.resolve(index, "hello:1.0", "x").digest());
        assertEquals(Digest.sha256("b"), IndexEntries.resolve(index, "other:2", "x").digest());
        assertEquals(Digest.sha256("c"), IndexEntries.resolve(index, "latest", "x").digest());
        assertEquals(List.of(), IndexEntries.find(index, "library/hello:2.0"));
        ImageIndex odd = new ImageIndex(MediaTypes.OCI_INDEX, List.of(entry("d", "Not A:Name")));
        assertEquals(List.of(), IndexEntries.find(odd, "hello:1.0"), "a ref.name that is no image name matches nothing");
        assertEquals("x: no image named 'nothere:1' in the archive (names: hello:1.0, docker.io/library/other:2, latest)",
                assertThrows(ArchiveException.class, () -> IndexEntries.resolve(index, "nothere:1", "x")).getMessage());
    }

    @Test
    void severalEntriesOfOneImageCountAsOne() {
        ImageIndex index = new ImageIndex(MediaTypes.OCI_INDEX, List.of(entry("a", "hello:1.0"), entry("a", "docker.io/library/hello:1.0")));
        assertEquals(1, IndexEntries.find(index, "hello:1.0").size());
        assertEquals(Digest.sha256("a"), IndexEntries.resolve(index, null, "x").digest());
        assertEquals(null, IndexEntries.resolve(index, null, "x").annotations(), "tag annotations removed");
        ImageIndex two = new ImageIndex(MediaTypes.OCI_INDEX, List.of(entry("a", "hello:1.0"), entry("b", "hello:1.0")));
        assertEquals("x: name 'hello:1.0' is ambiguous: 2 different images carry it",
                assertThrows(ArchiveException.class, () -> IndexEntries.resolve(two, "hello:1.0", "x")).getMessage());
    }

    @Test
    void anEmptyArchiveSaysSo() {
        ImageIndex empty = new ImageIndex(MediaTypes.OCI_INDEX, List.of());
        assertEquals("x: the archive holds no image (index.json is empty)",
                assertThrows(ArchiveException.class, () -> IndexEntries.resolve(empty, null, "x")).getMessage());
        assertEquals("none", IndexEntries.names(empty));
    }

    @Test
    void dockerArchiveEntriesCarryTheTimestampAskedFor() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            TestImages.Built a = TestImages.twoPlatforms(fs.getPath("/a"), null);
            Descriptor amd = a.manifests().get("amd64");
            Path at = fs.getPath("/at.tar");
            DockerArchiveWriter.withTimestamp(Instant.ofEpochSecond(1_600_000_000L)).write(a.layout(), amd, List.of("hello:1"), at);
            for (Tars.Read r : Tars.read(at)) {
                assertEquals(1_600_000_000_000L, r.entry().getModTime().getTime(), r.entry().getName());
            }
            Path none = fs.getPath("/none.tar");
            DockerArchiveWriter.withTimestamp(null).write(a.layout(), amd, List.of("hello:1"), none);
            for (Tars.Read r : Tars.read(none)) {
                assertEquals(0, r.entry().getModTime().getTime(), r.entry().getName());
            }
        }
    }
}
