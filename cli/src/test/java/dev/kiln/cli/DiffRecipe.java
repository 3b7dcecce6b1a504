package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One generated recipe for {@link DifferentialIT}: the recipe kiln builds, the one buildah builds
 * (the same, except where buildah 1.28 cannot parse what BuildKit accepts), the context, and the
 * config values BuildKit gives where buildah 1.28 gives others (each with the reason).
 */
final class DiffRecipe {
    final int number;
    final StringBuilder kiln = new StringBuilder();
    final StringBuilder buildah = new StringBuilder();
    /** Config fields whose expected value is BuildKit's, not buildah's, with why. */
    final Map<String, JsonNode> expected = new LinkedHashMap<>();
    final List<String> reasons = new ArrayList<>();
    boolean usesBase;
    boolean argsEscaped;
    private final Random r;

    private DiffRecipe(int number, Random r) {
        this.number = number;
        this.r = r;
    }

    /** Symbolic --chmod values, the mode of the file they are applied to, and the result (checked with chmod(1), umask 022). */
    private static final String[][] SYMBOLIC = {
            {"a+x", "rw-r--r--", "0755"}, {"go-r", "rw-r--r--", "0600"}, {"u=rwx,go=rx", "rw-------", "0755"},
            {"g+w,o+r", "rw-r-----", "0664"}, {"+x", "rw-r--r--", "0755"},
    };

    private void both(String line) {
        kiln.append(line).append('\n');
        buildah.append(line).append('\n');
    }

    private boolean chance(int percent) {
        return r.nextInt(100) < percent;
    }

    private <T> T pick(List<T> items) {
        return items.get(r.nextInt(items.size()));
    }

    /** Writes the context and returns the recipe. {@code base} is the umoci-made base layout (tag t). */
    static DiffRecipe generate(int number, long seed, Path ctx, Path base) throws IOException {
        DiffRecipe d = new DiffRecipe(number, new Random(seed * 1_000_003L + number));
        d.writeContext(ctx);
        d.write(ctx, base);
        return d;
    }

    private void writeContext(Path ctx) throws IOException {
        Files.createDirectories(ctx);
        put(ctx, "a.txt", "a\n", "rw-r--r--");
        put(ctx, "b.txt", "bb\n", "rw-------");
        put(ctx, "run.sh", "#!/bin/sh\necho run\n", "rwxr-xr-x");
        put(ctx, "data/x.json", "{}\n", "rw-r--r--");
        put(ctx, "data/sub/y.txt", "y\n", "rw-r-----");
        put(ctx, "data/sub/old.bak", "bak\n", "rw-r--r--");
        put(ctx, "data/skip.log", "log\n", "rw-r--r--");
        put(ctx, "data/keep.log", "keep\n", "rw-r--r--");
        Files.setPosixFilePermissions(ctx.resolve("data/sub"), PosixFilePermissions.fromString(pick(List.of(
                "rwxr-xr-x", "rwxr-x---", "rwx------"))));
        for (String[] s : SYMBOLIC) {
            put(ctx, "sym-" + s[0].replace(',', '_').replace('=', 'e').replace('+', 'p').replace('-', 'm'), s[0] + "\n", s[1]);
        }
        Files.write(ctx.resolve("app.tar.gz"), RawTarWriter.gzip(DockerfileFidelityTest.tar(
                "d bin 0750 7 8", "f bin/app 4750 7 8", "l bin/link app", "d share 0755 0 0", "f share/doc 0644 0 0")));
    }

    private static void put(Path ctx, String path, String content, String perms) throws IOException {
        Path p = ctx.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    private void write(Path ctx, Path base) throws IOException {
        if (chance(60)) {
            // .dockerignore with ** and ! (the Docker reference, ".dockerignore file")
            Files.writeString(ctx.resolve(".dockerignore"), "**/*.bak\n*/*.log\n!data/keep.log\n");
        }
        both("ARG G=global");
        boolean buildStage = chance(60);
        boolean onbuild = buildStage && chance(40);
        boolean fromBuild = buildStage && chance(40);
        if (buildStage) {
            both("FROM scratch AS build");
            both("ARG X=from-build");
            both("COPY --chown=5:6 a.txt /owned/a");
            both("COPY data/ /srv/data/");
            if (onbuild) {
                both("ONBUILD COPY b.txt /trig/");
            }
        }
        usesBase = !fromBuild && chance(35);
        if (fromBuild) {
            both("FROM build");
            if (onbuild) {
                reasons.add("ONBUILD runs: buildah needs --format docker, which this test uses");
            }
        } else if (usesBase) {
            both("FROM oci:" + base + ":t");
        } else {
            both("FROM scratch");
        }
        List<Runnable> steps = new ArrayList<>(List.of(
                this::envAndArgs, this::workdirs, this::expose, this::volume, this::healthcheck, this::labels,
                this::copies, this::globs, this::chmods, this::archive, this::maintainer, this::stopsignal));
        if (buildStage) {
            steps.add(this::copyFrom);
        }
        if (usesBase) {
            steps.add(this::intoBase);
        }
        java.util.Collections.shuffle(steps, r);
        for (Runnable step : steps.subList(0, 4 + r.nextInt(steps.size() - 3))) {
            step.run();
        }
        if (fromBuild) {
            // a stage built on another starts with its declared ARGs (BuildKit dispatchState.init: buildArgs
            // are copied from the base stage); buildah 1.28 does not carry them
            both("ENV FROM_X=$X");
            expectEnvOverride("FROM_X", "from-build");
        }
        command();
    }

    private void envAndArgs() {
        both("ARG G");
        both("ENV FROM_G=$G Q=\"two words\" S='single $G' E=esc\\ aped D=${UNSET:-dflt} P=${G:+alt}");
        if (chance(50)) {
            both("ARG L=local-${G}");
            both("ENV FROM_L=${L}");
        }
    }

    private void workdirs() {
        if (chance(50)) {
            both("USER 1000:1000");
        }
        both("WORKDIR /w1");
        both("WORKDIR sub");
        if (chance(50)) {
            both("WORKDIR ../w2/deeper");
        }
        if (chance(50)) {
            both("COPY a.txt ./");
        }
    }

    private void expose() {
        if (chance(50)) {
            both("EXPOSE 80 53/udp 8080/tcp");
        } else {
            // BuildKit expands a range into one port each (dockerfile2llb convert_expose.go, nat.ParsePortSpecs);
            // buildah 1.28 keeps "8000-8001/udp" as one key
            both("EXPOSE 80 8000-8001/udp");
            ObjectNode ports = KilnTestSupport.MAPPER.createObjectNode();
            for (String p : List.of("80/tcp", "8000/udp", "8001/udp")) {
                ports.putObject(p);
            }
            expected.put("ExposedPorts", ports);
            reasons.add("EXPOSE range expanded as BuildKit does");
        }
    }

    private void volume() {
        both(chance(50) ? "VOLUME [\"/data\", \"/cache\"]" : "VOLUME /v1 /v2");
    }

    private void healthcheck() {
        both(chance(70) ? "HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD [\"/bin/app\", \"health\"]"
                : "HEALTHCHECK NONE");
    }

    private void labels() {
        both("LABEL a=b \"c d\"=\"e f\" version=${G}");
    }

    private void copies() {
        both("COPY a.txt /f/renamed.txt");
        both("COPY a.txt b.txt /two/");
        both("COPY data /d1/");
        both("COPY data/sub /d2");
        if (chance(50)) {
            both("COPY --chown=1001:1001 data/ /owned-data/");
        }
        if (chance(50)) {
            both("COPY --chmod=0640 run.sh /bin2/run");
        }
    }

    private void globs() {
        both("COPY data/*.json *.txt /globbed/");
        both("COPY data/s?b /qm/");
        if (chance(60)) {
            // a wildcard that matches nothing beside a source that matches (BuildKit testEmptyWildcard);
            // buildah 1.28 refuses it, so its recipe has the matching source only
            kiln.append("COPY a.txt nomatch* /wild/\n");
            buildah.append("COPY a.txt /wild/\n");
        }
    }

    private void chmods() {
        String[] s = SYMBOLIC[r.nextInt(SYMBOLIC.length)];
        String file = "sym-" + s[0].replace(',', '_').replace('=', 'e').replace('+', 'p').replace('-', 'm');
        // symbolic --chmod is Dockerfile 1.14; buildah 1.28 knows octal only, so it gets the mode chmod(1) gives
        kiln.append("COPY --chmod=").append(s[0]).append(' ').append(file).append(" /sym/\n");
        buildah.append("COPY --chmod=").append(s[2]).append(' ').append(file).append(" /sym/\n");
    }

    private void archive() {
        if (chance(50)) {
            both("ADD app.tar.gz /opt/");
        } else {
            both("ADD --chown=1002:1003 app.tar.gz /opt/app/");
            // BuildKit's unpack gives --chown to every entry of the archive (solver/llbsolver/file
            // unpack_root.go, mapArchiveHeaderOwner); buildah 1.28 keeps the tar's owners
            treeOwners.put("opt/app/", "1002:1003");
            reasons.add("ADD --chown of an archive");
        }
    }

    /** Path prefixes whose entries BuildKit owns differently from buildah 1.28, and the owner. */
    final Map<String, String> treeOwners = new LinkedHashMap<>();

    /** buildah's flattened tree with BuildKit's owners where they differ. */
    Map<String, String> expectedTree(Map<String, String> buildahTree) {
        Map<String, String> out = new java.util.TreeMap<>(buildahTree);
        treeOwners.forEach((prefix, owner) -> out.replaceAll((path, v) -> path.startsWith(prefix)
                ? v.replaceFirst("\\b\\d+:\\d+\\b", owner) : v));
        return out;
    }

    private void maintainer() {
        both("MAINTAINER Jane <jane@example.com>");
    }

    private void stopsignal() {
        both("STOPSIGNAL SIGTERM");
    }

    private void copyFrom() {
        both("COPY --from=build /owned/ /owned/");
        both("COPY --from=build /srv/data /copied");
    }

    private void intoBase() {
        both("COPY a.txt /tmp/");
        both("COPY b.txt /srv/");
        both("COPY a.txt /lib/");
    }

    private void command() {
        int kind = r.nextInt(4);
        if (kind == 0) {
            both("CMD [\"/bin/app\", \"--flag\"]");
            argsEscaped = true;
        } else if (kind == 1) {
            both("ENTRYPOINT [\"/bin/app\"]");
        } else if (kind == 2) {
            both("SHELL [\"/bin/bash\", \"-c\"]");
            both("CMD echo $HOME");
            // BuildKit runs a shell-form CMD through SHELL (dockerfile2llb withShell uses Config.Shell);
            // buildah 1.28 writes /bin/sh -c
            ArrayNode cmd = KilnTestSupport.MAPPER.createArrayNode().add("/bin/bash").add("-c").add("echo $HOME");
            expected.put("Cmd", cmd);
            reasons.add("shell-form CMD after SHELL");
            argsEscaped = true;
        } else {
            both("ENTRYPOINT [\"/bin/app\"]");
            both("CMD [\"--default\"]");
            argsEscaped = true;
        }
    }

    /** BuildKit's Env holds VAR=value where buildah's has VAR= (set at the end, after buildah's Env is read). */
    private final Map<String, String> envOverrides = new LinkedHashMap<>();

    private void expectEnvOverride(String name, String value) {
        envOverrides.put(name, value);
        reasons.add("ARG carried into a stage built on a stage");
    }

    /** buildah's Env with BuildKit's values where they differ. */
    JsonNode expectedEnv(JsonNode buildahEnv) {
        if (envOverrides.isEmpty()) {
            return buildahEnv;
        }
        ArrayNode out = KilnTestSupport.MAPPER.createArrayNode();
        for (JsonNode e : buildahEnv) {
            String s = e.asText();
            String name = s.substring(0, s.indexOf('='));
            out.add(envOverrides.containsKey(name) ? name + "=" + envOverrides.get(name) : s);
        }
        return out;
    }
}
