package dev.kiln.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A throw-away Distribution 2.8 registry on 127.0.0.1 (scripts/start-registry) in a fresh
 * folder, so every test gets an empty one. Stopped by {@link #close}, else at JVM exit, else
 * by the script's watchdog once this JVM is gone.
 *
 * <pre>
 * try (Registry r = Registry.start()) { ... "docker://" + r.hostPort() + "/test:1" ... }
 * try (Registry r = Registry.builder().htpasswd("alice", "secret").tls().start()) { ... }
 * </pre>
 */
public final class Registry implements AutoCloseable {
    private final Path dir;
    private final String hostPort;
    private final boolean tls;
    private final String user;
    private final String password;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Registry(Path dir, String hostPort, boolean tls, String user, String password) {
        this.dir = dir;
        this.hostPort = hostPort;
        this.tls = tls;
        this.user = user;
        this.password = password;
    }

    /** A plain-HTTP registry without auth. */
    public static Registry start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code 127.0.0.1:PORT}, as used in image references. */
    public String hostPort() {
        return hostPort;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return Integer.parseInt(hostPort.substring(hostPort.indexOf(':') + 1));
    }

    /** "http" or "https". */
    public String scheme() {
        return tls ? "https" : "http";
    }

    /** {@code http://127.0.0.1:PORT} (or https). */
    public String url() {
        return scheme() + "://" + hostPort;
    }

    public boolean tls() {
        return tls;
    }

    /** The folder holding {@code ca.crt} (for skopeo/podman {@code --cert-dir}); only with TLS. */
    public Path certDir() {
        requireTls();
        return dir.resolve("certs");
    }

    /** The self-signed certificate (PEM) the registry serves, for curl --cacert or a trust store. */
    public Path caCert() {
        requireTls();
        return dir.resolve("cert.pem");
    }

    private void requireTls() {
        if (!tls) {
            throw new IllegalStateException("registry " + hostPort + " was started without TLS");
        }
    }

    /** The htpasswd user, or null without auth. */
    public String user() {
        return user;
    }

    /** The htpasswd password, or null without auth (redacted in every Proc message). */
    public String password() {
        return password;
    }

    /** "user:password" for {@code --creds}, {@code curl -u}; fails without auth. */
    public String credentials() {
        if (user == null) {
            throw new IllegalStateException("registry " + hostPort + " was started without --htpasswd");
        }
        return user + ":" + password;
    }

    public Path dir() {
        return dir;
    }

    public Path log() {
        return dir.resolve("registry.log");
    }

    /** The last LINES lines of the registry log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log());
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log() + ": " + e + ")";
        }
    }

    /** Stops the registry and deletes its storage; its log outlives the JVM (see Peers). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Proc.Result r = Proc.of(Peers.script("start-registry").toString(), "stop", "--dir", dir.toString())
                    .timeout(Duration.ofSeconds(30)).run();
            Peers.deleteTree(dir.resolve("data"), false);
            if (!r.ok()) {
                throw new IllegalStateException("cannot stop the registry " + hostPort + ": " + r.describe());
            }
        }
    }

    @Override
    public String toString() {
        return "Registry[" + url() + (user != null ? ", user " + user : "") + ", " + dir + "]";
    }

    public static final class Builder {
        private final Map<String, String> env = new LinkedHashMap<>();
        private String user;
        private String password;
        private boolean tls;

        private Builder() {}

        /** Basic auth (bcrypt htpasswd) with this one user. */
        public Builder htpasswd(String user, String password) {
            if (user.contains(":")) {
                throw new IllegalArgumentException("htpasswd user must not contain ':'");
            }
            this.user = user;
            this.password = password;
            return this;
        }

        /** HTTPS with a self-signed certificate for 127.0.0.1 and localhost. */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** A Distribution config override, e.g. {@code REGISTRY_STORAGE_DELETE_ENABLED=false}. */
        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** Accepts layers with http(s) {@code urls} (foreign / non-distributable), as Docker Hub does. */
        public Builder allowForeignUrls() {
            return env("REGISTRY_VALIDATION_MANIFESTS_URLS_ALLOW", "[\"^https?://\"]");
        }

        public Registry start() {
            Path dir = Peers.tempDir("registry");
            List<String> cmd = new ArrayList<>(List.of(Peers.script("start-registry").toString(),
                    "--dir", dir.toString(), "--owner", Long.toString(ProcessHandle.current().pid())));
            if (user != null) {
                Proc.redactEverywhere(password);
                cmd.addAll(List.of("--htpasswd", user + ":" + password));
            }
            if (tls) {
                cmd.add("--tls");
            }
            Proc.Result r = Proc.of(cmd).env(env).timeout(Duration.ofSeconds(90)).run();
            if (!r.ok()) {
                throw new IllegalStateException("cannot start a registry: " + r.describe());
            }
            Map<String, String> vars = parse(r.stdout());
            String hostPort = vars.get("REGISTRY");
            if (hostPort == null) {
                throw new IllegalStateException("start-registry printed no REGISTRY=: " + r.describe());
            }
            Registry reg = new Registry(dir, hostPort, tls, user, password);
            Peers.atExit(reg::close);
            return reg;
        }
    }

    /** KEY=VALUE lines (as start-registry and scripts/dockerd print) into a map. */
    static Map<String, String> parse(String output) {
        Map<String, String> vars = new LinkedHashMap<>();
        output.lines().map(String::strip).filter(l -> l.matches("[A-Z_]+=.*"))
                .forEach(l -> vars.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return vars;
    }
}
