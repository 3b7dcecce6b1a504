package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.builder.recipe.Recipe;
import dev.kiln.builder.recipe.RecipeParser;
import dev.kiln.builder.recipe.Stage;
import dev.kiln.cli.KilnTestSupport.Run;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.archive.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz test of recipes: the example recipes of testdata/ (and a few that use every
 * instruction) mutated thousands of ways — lines deleted, duplicated, swapped, truncated, random
 * bytes and keywords inserted, quotes and brackets unbalanced, huge lines — each parsed (and its
 * stages expanded), and a sample built end to end with {@code kiln build}. Every case either works
 * or fails with one line naming the recipe file and line ({@code FILE:N:}); never another exception,
 * never a partial layout. Reproduce a failure with its seed and case number.
 */
class RecipeFuzzTest {
    static final long SEED = Long.getLong("kiln.fuzz.seed", 20261128L);
    static final int CASES = Integer.getInteger("kiln.fuzz.cases", 3000);
    /** Every BUILD_EVERY-th case is also built with the CLI. */
    static final int BUILD_EVERY = 40;

    @TempDir
    static Path tmp;

    @AfterAll
    static void tally() {
        System.out.println(Hostile.writeTally());
    }

    static final Map<String, String> PLATFORM_ARGS = Map.of(
            "TARGETPLATFORM", "linux/amd64", "TARGETOS", "linux", "TARGETARCH", "amd64", "TARGETVARIANT", "",
            "BUILDPLATFORM", "linux/amd64", "BUILDOS", "linux", "BUILDARCH", "amd64", "BUILDVARIANT", "");

    /** Recipes that use the instructions the examples do not. */
    static final List<String> EXTRA_SEEDS = List.of("""
            # syntax=docker/dockerfile:1
            ARG BASE=scratch
            FROM ${BASE} AS build
            ARG TARGETARCH
            ENV A=1 B="two words" C=${A:-x}
            WORKDIR /src/${TARGETARCH}
            COPY --chown=1000:1000 --chmod=0755 bin/${TARGETARCH}/hello /usr/bin/hello
            COPY app/ /app/
            ADD docs/README.txt /docs/
            LABEL a=b "c d"="e f"
            EXPOSE 80/tcp 53/udp 8000-8010
            VOLUME ["/data", "/logs"]
            USER 1000:1000
            STOPSIGNAL SIGTERM
            HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD ["/usr/bin/hello", "--health"]
            SHELL ["/bin/sh", "-c"]
            ONBUILD COPY . /app
            ENTRYPOINT ["/usr/bin/hello"]
            CMD --greet \\
                world

            FROM build AS final
            COPY --from=build /usr/bin/hello /hello
            MAINTAINER someone
            CMD ["/hello"]
            """, """
            # escape=`
            FROM scratch
            COPY app/hello.conf C:\\app\\
            ENV PATHEXT=.COM `
                OTHER=1
            CMD echo "hi"
            """);

    static final List<String> KEYWORDS = List.of("FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY",
            "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
            "from", "Copy", "FROM --platform=linux/arm64", "COPY --from=0", "COPY --from=nowhere", "ADD --chmod=9999",
            "COPY --chmod=u+x", "COPY --chown=nobody", "ADD http://example.com/x", "ONBUILD ONBUILD", "ONBUILD FROM",
            "HEALTHCHECK NONE", "ARG", "ENV", "FROM scratch AS", "FROM scratch AS Bad_Name", "NOTANINSTRUCTION", "#", "# escape=\\",
            "# syntax=", "\\", "`");

    static final String[] FRAGMENTS = {"\"", "'", "[", "]", "{", "}", "${", "$", "$$", "\\", "`", "\\\n", "\t", "\r", "\u0000",
        "\u00ff", "\ud83d\ude00", "\u202e", "=", "==", "--", "--from=", "--chmod=", "${A:-${B:+${C}}}", "${A?boom}", "${A:?}", "${",
        "$((1+1))", "$(id)", "[\"a\", ", "\"]", "../../../../etc/passwd", "/..", "*", "?", "[!a-", "C:\\", "\u3000", "\\\\"};

    record Outcome(String kind, String detail) {
    }

    /** One mutation of {@code seed}, chosen by {@code r}. */
    static String mutate(String seed, Random r) {
        List<String> lines = new ArrayList<>(List.of(seed.split("\n", -1)));
        int rounds = 1 + r.nextInt(3);
        for (int k = 0; k < rounds; k++) {
            int n = Math.max(1, lines.size());
            int i = r.nextInt(n);
            switch (r.nextInt(12)) {
                case 0 -> { // delete a line
                    if (!lines.isEmpty()) {
                        lines.remove(i % lines.size());
                    }
                }
                case 1 -> lines.add(i, lines.isEmpty() ? "" : lines.get(i % lines.size())); // duplicate
                case 2 -> { // swap
                    if (lines.size() > 1) {
                        int j = r.nextInt(lines.size());
                        String t = lines.get(i % lines.size());
                        lines.set(i % lines.size(), lines.get(j));
                        lines.set(j, t);
                    }
                }
                case 3 -> lines.set(i % lines.size(), insert(lines.get(i % lines.size()), randomBytes(r), r)); // random bytes
                case 4 -> { // a random keyword in place of the instruction's
                    String l = lines.get(i % lines.size());
                    String rest = l.contains(" ") ? l.substring(l.indexOf(' ')) : "";
                    lines.set(i % lines.size(), KEYWORDS.get(r.nextInt(KEYWORDS.size())) + rest);
                }
                case 5 -> lines.add(i, KEYWORDS.get(r.nextInt(KEYWORDS.size())) + " " + fragments(r, 1 + r.nextInt(4)));
                case 6 -> { // truncate the recipe
                    String all = String.join("\n", lines);
                    String cut = all.substring(0, r.nextInt(all.length() + 1));
                    lines = new ArrayList<>(List.of(cut.split("\n", -1)));
                }
                case 7 -> lines.set(i % lines.size(), insert(lines.get(i % lines.size()), fragments(r, 1 + r.nextInt(3)), r)); // unbalanced
                case 8 -> lines.set(i % lines.size(), lines.get(i % lines.size()) + " " + huge(r)); // a huge line
                case 9 -> lines.add(i, lines.get(i % lines.size()) + " \\"); // a continuation where there was none
                case 10 -> lines.add(i, "ARG " + "V" + r.nextInt(3) + "=${V" + r.nextInt(3) + "}" + fragments(r, 1)); // self-references
                default -> { // cut a line in the middle
                    String l = lines.get(i % lines.size());
                    lines.set(i % lines.size(), l.substring(0, r.nextInt(l.length() + 1)));
                }
            }
            if (lines.isEmpty()) {
                lines.add("");
            }
        }
        return String.join("\n", lines);
    }

    static String insert(String line, String what, Random r) {
        int at = r.nextInt(line.length() + 1);
        return line.substring(0, at) + what + line.substring(at);
    }

    static String fragments(Random r, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(FRAGMENTS[r.nextInt(FRAGMENTS.length)]);
        }
        return b.toString();
    }

    static String randomBytes(Random r) {
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(4);
            b.append(switch (kind) {
                case 0 -> (char) r.nextInt(32); // control characters, NUL and newlines included
                case 1 -> (char) (32 + r.nextInt(95));
                case 2 -> (char) (0x80 + r.nextInt(0x780));
                default -> new String(Character.toChars(0x1F300 + r.nextInt(200)));
            });
        }
        return b.toString();
    }

    static String huge(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> "a".repeat(100_000 + r.nextInt(100_000));
            case 1 -> "${A}".repeat(20_000);
            case 2 -> "\"x\" ".repeat(30_000);
            default -> "[".repeat(50_000);
        };
    }

    static final Pattern LINE = Pattern.compile(":(\\d+): ");

    /** Checks a failure message: one line, naming the file and a line number within the recipe. */
    static void checkMessage(String file, String message, String text, String reproduce) {
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "message of more than one line: " + message + reproduce);
        assertTrue(message.contains(file + ":"), () -> "message does not name " + file + ": " + message + reproduce);
        Matcher m = LINE.matcher(message.substring(message.indexOf(file + ":") + file.length()));
        assertTrue(m.find() && m.start() == 0, () -> "message does not give a line (FILE:N:): " + message + reproduce);
        int line = Integer.parseInt(m.group(1));
        int lines = text.split("\n", -1).length;
        assertTrue(line >= 1 && line <= lines + 1, () -> "line " + line + " is not in the recipe (" + lines + " lines): " + message + reproduce);
    }

    static List<String> seeds() throws IOException {
        Path root = KilnTestSupport.example().getParent();
        List<String> out = new ArrayList<>();
        out.add(Files.readString(root.resolve("example/Dockerfile")));
        out.add(Files.readString(root.resolve("hello-world/Dockerfile.linux")));
        out.add(Files.readString(root.resolve("hello-world/Dockerfile.windows")));
        out.addAll(EXTRA_SEEDS);
        return out;
    }

    @Test
    void mutatedRecipesParseOrFailOnALine() throws Exception {
        List<String> seeds = seeds();
        Random r = new Random(SEED);
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        Path ctx = tmp.resolve("ctx");
        KilnTestSupport.copyTree(KilnTestSupport.example(), ctx);
        Path bases = tmp.resolve("bases");
        TestImages.twoPlatforms(bases, "docker.io/library/alpine:latest");
        long started = System.nanoTime();
        int built = 0;
        for (int i = 0; i < CASES; i++) {
            String text = mutate(seeds.get(r.nextInt(seeds.size())), r);
            String reproduce = "\n(seed " + SEED + ", case " + i + "; recipe:\n" + abbreviate(text) + ")";
            String kind = parse(text, reproduce);
            outcomes.merge(kind, 1, Integer::sum);
            Hostile.count("recipe: parse (fuzz)", kind.equals("parsed") ? 0 : 1);
            if (i % BUILD_EVERY == 0) {
                build(text, i, ctx, bases, reproduce);
                built++;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("RecipeFuzzTest: %d cases in %.1f s (%d built with kiln build): %s%n", CASES, seconds, built, outcomes);
        assertTrue(seconds < 60, "the fuzz test must stay fast: " + seconds + " s");
        assertTrue(outcomes.getOrDefault("parsed", 0) > CASES / 20, "too few mutations still parse: " + outcomes);
        assertTrue(outcomes.getOrDefault("recipe error", 0) > CASES / 4, "too few mutations fail: " + outcomes);
    }

    /** Parses and expands every stage; returns "parsed" or "recipe error"; fails on anything else. */
    static String parse(String text, String reproduce) {
        try {
            Recipe recipe = RecipeParser.parse("Dockerfile", text, Map.of("BUILD_ARG", "x"), PLATFORM_ARGS);
            for (Stage s : recipe.stages()) {
                recipe.expand(s, Map.of("PATH", Recipe.DEFAULT_PATH));
            }
            return "parsed";
        } catch (KilnException e) {
            checkMessage("Dockerfile", e.getMessage(), text, reproduce);
            return "recipe error";
        } catch (Throwable t) {
            fail("the parser threw " + t + reproduce, t);
            return "unreachable";
        }
    }

    /** Builds the recipe with the CLI; checks a clean failure and that no layout is left behind. */
    static void build(String text, int i, Path ctx, Path bases, String reproduce) throws IOException {
        Path recipe = tmp.resolve("recipes/Dockerfile." + i);
        Files.createDirectories(recipe.getParent());
        Files.writeString(recipe, text, StandardCharsets.UTF_8);
        Path out = tmp.resolve("out-" + i);
        Run run = KilnTestSupport.kiln("build", ctx.toString(), "-f", recipe.toString(), "--platform", "linux/amd64",
                "--base-layout", bases.toString(), "-t", "fuzz:" + i, "-o", "oci:" + out);
        Hostile.count("recipe: kiln build (fuzz)", run.code());
        if (run.code() == 0) {
            assertTrue(Files.isRegularFile(out.resolve("index.json")), "a successful build wrote no index.json" + reproduce);
            KilnTestSupport.kiln("verify", "--deep", "oci:" + out).ok();
            return;
        }
        assertEquals(1, run.code(), () -> "exit " + run.code() + ": " + run.err() + reproduce);
        Hostile.assertCleanError("build" + reproduce, run.err(), List.of());
        String message = run.err().strip().substring("kiln: ".length());
        checkMessage(recipe.toString(), message, text, reproduce);
        assertFalse(Files.exists(out), () -> "a failed build left a layout behind: " + out + reproduce);
    }

    static String abbreviate(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "... (" + s.length() + " chars)" : s;
    }
}
