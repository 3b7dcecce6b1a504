package dev.kiln.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The home folder is {@code $HOME}, as for Docker, podman and skopeo, not Java's {@code user.home}. */
class AuthEnvironmentHomeTest {
    @Test
    void homeComesFromTheEnvironment() {
        AuthEnvironment e = AuthEnvironment.of(FileSystems.getDefault(), Map.of("HOME", "/ci/home"));
        assertEquals(Path.of("/ci/home"), e.home());
        assertEquals(Path.of("/ci/home/.docker/config.json"), e.dockerConfigFile());
        assertEquals(List.of(Path.of("/ci/home/.config/containers/auth.json"), Path.of("/ci/home/.docker/config.json")),
                e.credentialFiles());
    }

    @Test
    void theVariablesThatMoveTheFilesWin() {
        AuthEnvironment e = AuthEnvironment.of(FileSystems.getDefault(), Map.of("HOME", "/ci/home", "DOCKER_CONFIG", "/etc/dc",
                "REGISTRY_AUTH_FILE", "/a/auth.json", "XDG_RUNTIME_DIR", "/run/user/7", "XDG_CONFIG_HOME", "/cfg"));
        assertEquals(Path.of("/etc/dc/config.json"), e.dockerConfigFile());
        assertEquals(List.of(Path.of("/a/auth.json"), Path.of("/run/user/7/containers/auth.json"), Path.of("/cfg/containers/auth.json"),
                Path.of("/etc/dc/config.json")), e.credentialFiles());
    }

    @Test
    void withoutHomeJavasUserHomeIsTheLastResort() {
        assertEquals(Path.of(System.getProperty("user.home")), AuthEnvironment.of(FileSystems.getDefault(), Map.of()).home());
        assertEquals(Path.of(System.getProperty("user.home")), AuthEnvironment.of(FileSystems.getDefault(), Map.of("HOME", "")).home());
    }
}
