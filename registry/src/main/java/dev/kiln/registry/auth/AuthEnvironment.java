package dev.kiln.registry.auth;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where credentials live: the home folder ({@code $HOME}) and the environment variables that move the files
 * ({@code DOCKER_CONFIG}, {@code REGISTRY_AUTH_FILE}, {@code XDG_RUNTIME_DIR}, {@code XDG_CONFIG_HOME})
 * and the {@code PATH} searched for {@code docker-credential-*} helpers. Tests pass a temporary home
 * and their own variables; {@link #system()} reads the real ones.
 */
public record AuthEnvironment(Path home, Map<String, String> env) {
    public AuthEnvironment {
        Objects.requireNonNull(home, "home");
        env = Map.copyOf(env);
    }

    /** The process's environment: the home folder is {@code $HOME}, as for Docker, podman and skopeo. */
    public static AuthEnvironment system() {
        return of(java.nio.file.FileSystems.getDefault(), System.getenv());
    }

    /**
     * An environment given as variables: the home folder is {@code $HOME} when set, else Java's
     * {@code user.home} (which comes from the password database, not the environment: a CI job that
     * sets {@code HOME} expects its files there).
     */
    public static AuthEnvironment of(java.nio.file.FileSystem fs, Map<String, String> env) {
        String home = env.get("HOME");
        return new AuthEnvironment(fs.getPath(home != null && !home.isEmpty() ? home : System.getProperty("user.home")), env);
    }

    public String get(String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
    public Path dockerConfigFile() {
        String dir = get("DOCKER_CONFIG");
        return dir != null ? home.getFileSystem().getPath(dir).resolve("config.json") : home.resolve(".docker").resolve("config.json");
    }

    /**
     * The files looked up for credentials, first match wins: {@code $REGISTRY_AUTH_FILE},
     * {@code $XDG_RUNTIME_DIR/containers/auth.json}, {@code ~/.config/containers/auth.json} (or under
     * {@code $XDG_CONFIG_HOME}), then the Docker config file.
     */
    public List<Path> credentialFiles() {
        List<Path> files = new ArrayList<>();
        String authFile = get("REGISTRY_AUTH_FILE");
        if (authFile != null) {
            files.add(home.getFileSystem().getPath(authFile));
        }
        String runtime = get("XDG_RUNTIME_DIR");
        if (runtime != null) {
            files.add(home.getFileSystem().getPath(runtime).resolve("containers").resolve("auth.json"));
        }
        String configHome = get("XDG_CONFIG_HOME");
        Path config = configHome != null ? home.getFileSystem().getPath(configHome) : home.resolve(".config");
        files.add(config.resolve("containers").resolve("auth.json"));
        files.add(dockerConfigFile());
        return files;
    }

    /** The folders of {@code PATH}. */
    public List<Path> path() {
        String p = get("PATH");
        List<Path> out = new ArrayList<>();
        if (p != null) {
            for (String part : p.split(java.io.File.pathSeparator)) {
                if (!part.isEmpty()) {
                    out.add(home.getFileSystem().getPath(part));
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "AuthEnvironment[home=" + home + "]";
    }
}
