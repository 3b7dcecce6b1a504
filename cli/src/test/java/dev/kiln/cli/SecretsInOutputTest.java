package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.HostileRegistry;
import dev.kiln.testing.MiniDistribution;
import dev.kiln.testing.SecretForms;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grep test: every failing registry scenario, run with {@code --debug --json} and without, must
 * print none of the secrets it knows (the password and its base64 forms, the bearer tokens the
 * token server handed out, the upload states) anywhere on stdout or stderr, and without
 * {@code --debug} fail with exit 1 in one line naming the registry.
 */
class SecretsInOutputTest {
    @TempDir
    static Path work;
    static Path layout;

    @BeforeAll
    static void tinyImage() throws Exception {
        layout = HostileRegistries.tinyLayout(work);
    }

    /** One hostile setup: the servers, the honest registry behind them, and the kiln arguments to run. */
    record Setup(List<HostileRegistry> servers, MiniDistribution mini, List<String> args) {
    }

    /** A scenario: given the user's password, start servers and say what to run. */
    record Scenario(String name, Function<String, Setup> start) {
    }

    static final String USER = "alice";

    static List<Scenario> scenarios() {
        List<Scenario> all = new ArrayList<>();
        all.add(new Scenario("pull: the manifest GET is answered 403 quoting the Basic header", pw -> {
            MiniDistribution mini = new MiniDistribution().basic(USER, pw);
            HostileRegistry r = HostileRegistry.start(2, ex -> {
                if (ex.path().contains("/manifests/")) {
                    ex.echo(403);
                } else {
                    mini.handle(ex);
                }
            });
            return new Setup(List.of(r), mini, pull(r, pw));
        }));
        all.add(new Scenario("push: the upload PUT is answered 400 quoting the Bearer token and the _state", pw -> {
            MiniDistribution mini = new MiniDistribution();
            HostileRegistry tokens = HostileRegistry.start(3, mini.tokenServer(USER, pw, null));
            mini.bearer(tokens.url() + "/token");
            HostileRegistry r = HostileRegistry.start(2, ex -> {
                if (ex.method().equals("PUT") && ex.path().contains("/blobs/uploads/")) {
                    ex.echo(400);
                } else {
                    mini.handle(ex);
                }
            });
            return new Setup(List.of(r, tokens), mini, push(r, pw));
        }));
        all.add(new Scenario("push: the manifest PUT is answered 400 quoting everything, as HTML", pw -> {
            MiniDistribution mini = new MiniDistribution().basic(USER, pw);
            HostileRegistry r = HostileRegistry.start(2, ex -> {
                if (ex.method().equals("PUT") && ex.path().contains("/manifests/")) {
                    ex.send(400, "<html><pre>" + ex.request.headers() + "</pre></html>", "Content-Type", "text/html");
                } else {
                    mini.handle(ex);
                }
            });
            return new Setup(List.of(r), mini, push(r, pw));
        }));
        all.add(new Scenario("pull: the token server answers 401 quoting the request", pw -> {
            MiniDistribution mini = new MiniDistribution();
            HostileRegistry tokens = HostileRegistry.start(3, ex -> ex.echo(401));
            mini.bearer(tokens.url() + "/token");
            HostileRegistry r = HostileRegistry.start(2, mini);
            return new Setup(List.of(r, tokens), mini, pull(r, pw));
        }));
        all.add(new Scenario("pull: a blob redirect to a storage host that echoes", pw -> {
            MiniDistribution mini = new MiniDistribution();
            HostileRegistry tokens = HostileRegistry.start(3, mini.tokenServer(USER, pw, null));
            HostileRegistry storage = HostileRegistry.start(4, ex -> ex.echo(403));
            mini.bearer(tokens.url() + "/token").redirectBlobsTo(storage.url());
            HostileRegistry r = HostileRegistry.start(2, mini);
            seed(mini);
            return new Setup(List.of(r, tokens, storage), mini, pull(r, pw));
        }));
        all.add(new Scenario("push: the upload Location is a file: URL", pw -> {
            MiniDistribution mini = new MiniDistribution().basic(USER, pw);
            HostileRegistry r = HostileRegistry.start(2, ex -> {
                if (ex.method().equals("POST")) {
                    ex.send(202, (String) null, "Location", "file:///etc/passwd?_state=" + ex.request.authorization());
                } else {
                    mini.handle(ex);
                }
            });
            return new Setup(List.of(r), mini, push(r, pw));
        }));
        for (String realm : List.of("file:///etc/passwd", "http://127.1:1/token")) {
            all.add(new Scenario("pull: the token realm is " + realm, pw -> {
                MiniDistribution mini = new MiniDistribution().bearer(realm);
                HostileRegistry r = HostileRegistry.start(2, mini);
                return new Setup(List.of(r), mini, pull(r, pw));
            }));
        }
        all.add(new Scenario("pull: an endless error body after the credentials were sent", pw -> {
            MiniDistribution mini = new MiniDistribution().basic(USER, pw);
            HostileRegistry r = HostileRegistry.start(2, ex -> {
                if (ex.path().contains("/manifests/")) {
                    ex.endless(500, "text/plain");
                } else {
                    mini.handle(ex);
                }
            });
            return new Setup(List.of(r), mini, pull(r, pw));
        }));
        return all;
    }

    @Test
    void noScenarioPrintsASecretWithOrWithoutDebug() {
        int runs = 0;
        for (Scenario s : scenarios()) {
            for (boolean debug : new boolean[] {true, false}) {
                String pw = "pw-" + UUID.randomUUID();
                Setup setup = s.start().apply(pw);
                try {
                    List<String> args = new ArrayList<>(setup.args());
                    if (debug) {
                        args.addAll(1, List.of("--debug", "--json"));
                    }
                    long start = System.nanoTime();
                    KilnTestSupport.Run r = kiln(args.toArray(String[]::new));
                    String what = s.name() + (debug ? " (--debug --json)" : "");
                    System.out.println("secrets grep: " + what + ": exit " + r.code() + ", " + (r.out().length() + r.err().length())
                            + " chars of output, " + (System.nanoTime() - start) / 1_000_000 + " ms"
                            + (debug ? "" : "\n  " + r.err().strip()));
                    assertEquals(1, r.code(), what + ": " + r.err());
                    List<String> secrets = new ArrayList<>(SecretForms.of(USER, pw));
                    setup.mini().issuedTokens().forEach(t -> secrets.addAll(SecretForms.ofToken(t)));
                    setup.mini().uploadStates().forEach(t -> secrets.addAll(SecretForms.ofToken(t)));
                    SecretForms.assertNone(what + ": stdout", r.out(), secrets);
                    SecretForms.assertNone(what + ": stderr", r.err(), secrets);
                    if (!debug) {
                        assertEquals(1, r.err().strip().lines().count(), what + ": " + r.err());
                        assertTrue(r.err().startsWith("kiln: registry 127.0.0.2:"), what + ": " + r.err());
                        KilnTestSupport.assertNoStackTrace(r.err());
                    } else {
                        assertTrue(r.err().contains("debug: registry 127.0.0.2:"), what + ": no debug lines");
                    }
                    runs++;
                } finally {
                    setup.servers().forEach(HostileRegistry::close);
                }
            }
        }
        assertEquals(scenarios().size() * 2, runs);
    }

    private static List<String> pull(HostileRegistry r, String pw) {
        return List.of("pull", "--creds", USER + ":" + pw, "docker://" + r.address() + "/team/app:1",
                "oci:" + work.resolve("pulled-" + UUID.randomUUID()) + ":1");
    }

    private static List<String> push(HostileRegistry r, String pw) {
        return List.of("push", "--creds", USER + ":" + pw, "oci:" + layout + ":1", "docker://" + r.address() + "/team/app:1");
    }

    /** A tiny image in team/app, so a pull gets as far as its blobs. */
    private static void seed(MiniDistribution mini) {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}".getBytes();
        String c = mini.putBlob("team/app", config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + c + "\",\"size\":" + config.length + "},\"layers\":[]}";
        mini.putManifest("team/app", "1", "application/vnd.oci.image.manifest.v1+json", manifest.getBytes());
    }
}
