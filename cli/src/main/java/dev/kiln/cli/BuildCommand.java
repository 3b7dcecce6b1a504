package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.builder.image.BaseResolver;
import dev.kiln.builder.image.BuildSettings;
import dev.kiln.builder.image.MultiPlatformBuild;
import dev.kiln.builder.image.PlatformBuild;
import dev.kiln.builder.layer.Compression;
import dev.kiln.builder.layer.LayerBuilder;
import dev.kiln.builder.layer.LayerCache;
import dev.kiln.builder.recipe.IgnoreRules;
import dev.kiln.layout.archive.ArchiveTransports;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.CopyOptions;
import dev.kiln.layout.transport.Copier;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageReader;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.LayoutDestination;
import dev.kiln.layout.transport.LayoutSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "build", sortOptions = false,
        description = {"Build an image for one or more platforms from a Dockerfile-like recipe, without running anything",
            "(no RUN), and write it with one index per tag into a layout, an OCI archive or a docker-archive.",
            "Same inputs, same digests: times are --timestamp, SOURCE_DATE_EPOCH or 0."},
        footer = {"", "Examples:",
            "  kiln build testdata/example --platform linux/amd64,linux/arm64,linux/arm/v7 -t example.com/hello:1.0 -o oci:out",
            "  kiln build . -f Dockerfile.linux -t hello:linux -o oci:out",
            "  kiln build . --file-for linux/amd64=Dockerfile.linux --file-for windows/amd64=Dockerfile.windows \\",
            "      -t hello-world:latest -o oci:out",
            "  kiln build . -t hello:1.0 -o docker-archive:hello.tar      # then: docker load -i hello.tar",
            "  kiln build . --base-layout mirror -t app:1 -o oci-archive:app.tar   # FROM alpine:3.20 from the mirror"})
final class BuildCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    RegistryFlags registry;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CONTEXT", description = "The build context folder (default: .).")
    String context = ".";

    @Option(names = {"-f", "--file"}, paramLabel = "RECIPE", description = "The recipe (default: CONTEXT/Dockerfile).")
    String file;

    @Option(names = "--file-for", paramLabel = "PLATFORM=RECIPE", description = "A platform with a recipe of its own (repeatable).")
    List<String> fileFor = new ArrayList<>();

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Platforms to build, comma-separated (default: linux/amd64).")
    List<String> platforms = new ArrayList<>();

    @Option(names = {"-t", "--tag"}, paramLabel = "NAME:TAG", description = "Tag the result (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DEST", description = "oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:NAME:TAG].")
    String output;

    @Option(names = "--build-arg", paramLabel = "K=V", description = "A build argument (repeatable).")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--base-layout", paramLabel = "DIR", description = "Layout holding base images named plainly in FROM (e.g. alpine:3.20).")
    String baseLayout;

    @Option(names = "--target", paramLabel = "STAGE", description = "Build this stage instead of the last.")
    String target;

    @Option(names = "--timestamp", paramLabel = "EPOCH", description = "File and config times, in seconds since 1970 (default: SOURCE_DATE_EPOCH or 0).")
    String timestamp;

    @Option(names = "--compression", paramLabel = "gzip|zstd|none", defaultValue = "gzip", description = "Layer compression (default ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--level", paramLabel = "N", defaultValue = "-1", description = "Compression level (gzip 0-9, zstd 1-19).")
    int level;

    @Option(names = "--format", paramLabel = "oci|docker", defaultValue = "oci", description = "Media types: OCI (default) or Docker schema2.")
    String format;

    @Option(names = "--no-cache", description = "Build every layer, ignoring and not filling the layer cache.")
    boolean noCache;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Layer cache (default: $KILN_CACHE_DIR, $XDG_CACHE_HOME/kiln or $HOME/.cache/kiln).")
    String cacheDir;

    @Option(names = {"-j", "--jobs"}, defaultValue = "2", description = "Platforms built at once (default ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--max-expanded-size", paramLabel = "SIZE", defaultValue = "64G",
            description = "Most bytes one ADD archive, the layers of one COPY --from image, or an archive named in FROM may "
                    + "expand to, tar headers included (decompression bombs); K, M, G, T are powers of 1024 (default ${DEFAULT-VALUE}).")
    String maxExpandedSize;

    @Override
    public Integer call() throws IOException {
        Path ctx = FileSystems.getDefault().getPath(context);
        if (!Files.isDirectory(ctx)) {
            throw new Failures.UsageException("build context '" + context + "' is not a folder");
        }
        Compression comp = switch (compression.toLowerCase()) {
            case "gzip" -> Compression.GZIP;
            case "zstd" -> Compression.ZSTD;
            case "none" -> Compression.NONE;
            default -> throw new Failures.UsageException("--compression must be gzip, zstd or none, not '" + compression + "'");
        };
        boolean docker = switch (format.toLowerCase()) {
            case "oci" -> false;
            case "docker" -> true;
            default -> throw new Failures.UsageException("--format must be oci or docker, not '" + format + "'");
        };
        if (docker && comp == Compression.ZSTD) {
            throw new Failures.UsageException("--format docker has no zstd layer type; use --format oci or --compression gzip");
        }
        long time = timestamp();
        long maxExpanded = size("--max-expanded-size", maxExpandedSize);
        Map<Platform, Path> recipes = recipes(ctx);
        ImageReference dest = Sources.parse(output);
        List<String> allTags = new ArrayList<>(tags);
        LayerBuilder layers;
        try {
            layers = LayerBuilder.of(comp).withLevel(level).withTimestamp(time);
        } catch (IllegalArgumentException e) {
            throw new Failures.UsageException(e.getMessage());
        }
        Path tempRoot = Files.createTempDirectory("kiln-build-");
        try {
            boolean direct = dest.transport() == ImageReference.Transport.OCI;
            if (direct && dest.name() != null) {
                allTags.add(0, dest.name());
            }
            if (allTags.isEmpty() && direct) {
                throw new Failures.UsageException("name the result: -t NAME:TAG, or -o oci:DIR:TAG");
            }
            if (direct) {
                for (String t : allTags) {
                    try {
                        dev.kiln.layout.oci.LayoutTag.parse(t); // refused before anything is built
                    } catch (IllegalArgumentException e) {
                        throw new Failures.UsageException(e.getMessage());
                    }
                }
            }
            Path created = direct && !Files.exists(References.path(dest)) ? References.path(dest) : null;
            // an archive or a push is made from a scratch layout the build fills (no fsync there: an
            // archive is synced once before its rename); an archive's blobs, all hashed as they were
            // written in this process, are not hashed again
            OciLayout out = direct ? OciLayout.openOrCreate(References.path(dest))
                    : OciLayout.createScratch(tempRoot.resolve("layout"));
            MultiPlatformBuild.Result result;
            boolean committed = false;
            try (LayoutDestination hold = new LayoutDestination(out, null, output);
                 BaseResolver bases = new BaseResolver(FileSystems.getDefault(),
                         baseLayout == null ? null : FileSystems.getDefault().getPath(baseLayout), Sources.transports(),
                         dev.kiln.layout.transport.TransportOptions.defaults().withMaxExpandedBytes(maxExpanded))) {
                BuildSettings settings = new BuildSettings(ctx, ignoreRules(ctx), out.blobs(), layers, bases,
                        buildArgs(), time, docker, tempRoot, target, maxExpanded, cache());
                result = new MultiPlatformBuild(settings, ImageReader.hostPlatform()).listener(progress()).build(recipes, jobs);
                if (direct) {
                    hold.commit(result.root(), allTags);
                }
                committed = true;
            } finally {
                if (!committed && created != null) {
                    removeIfUnused(out, created); // a failed build leaves no new layout behind
                }
            }
            if (!direct) {
                out.tag(dev.kiln.layout.oci.LayoutTag.parse("build"), result.root());
                boolean archive = dest.transport() == ImageReference.Transport.OCI_ARCHIVE
                        || dest.transport() == ImageReference.Transport.DOCKER_ARCHIVE;
                try (ImageDestination d = archive
                        ? ArchiveTransports.fromStaged(dest, FileSystems.getDefault(),
                                dev.kiln.layout.transport.TransportOptions.defaults(), out)
                        : Sources.destination(output,
                                Sources.transports(registry.options(4, common.debug, spec.commandLine().getErr())))) {
                    new Copier(CopyOptions.defaults().withTags(allTags)).copy(new LayoutSource(out, "build", "build"), d);
                }
            }
            report(result);
        } finally {
            deleteTree(tempRoot);
        }
        return 0;
    }

    private void report(MultiPlatformBuild.Result result) {
        PrintWriter out = spec.commandLine().getOut();
        if (common.json) {
            ObjectNode o = Json.object();
            o.put("output", output);
            o.put("digest", result.root().digest().toString());
            o.put("mediaType", result.root().mediaType());
            ArrayNode t = o.putArray("tags");
            tags.forEach(t::add);
            ArrayNode list = o.putArray("platforms");
            for (PlatformBuild.Result r : result.platforms()) {
                ObjectNode p = list.addObject();
                p.put("platform", r.manifest().platform().toLongString());
                p.put("manifest", r.manifest().digest().toString());
                p.put("config", r.manifestValue().config().digest().toString());
                ArrayNode l = p.putArray("layers");
                r.manifestValue().layers().forEach(d -> l.add(d.digest().toString()));
            }
            out.println(Json.pretty(o));
            return;
        }
        for (PlatformBuild.Result r : result.platforms()) {
            out.printf("built %-22s %s%n", r.manifest().platform().toLongString(), r.manifest().digest());
        }
        out.println("wrote " + output + " " + result.root().digest()
                + (tags.isEmpty() ? "" : " tagged " + String.join(", ", tags)));
    }

    /** Layer lines on stderr when it is a terminal (never with --json). */
    private dev.kiln.builder.image.BuildListener progress() {
        if (common.json || !Progress.interactive()) {
            return null;
        }
        PrintWriter err = spec.commandLine().getErr();
        return (platform, where, layer, cached) -> {
            synchronized (err) {
                err.printf("  %-14s %-28s %s  %s%s%n", platform, where.substring(where.lastIndexOf('/') + 1),
                        layer.digest().shortHex(), Progress.human(layer.size()), cached ? "  (cached)" : "");
                err.flush();
            }
        };
    }

    private LayerCache cache() {
        if (noCache) {
            return null;
        }
        return new LayerCache(cacheDir != null ? FileSystems.getDefault().getPath(cacheDir)
                : LayerCache.defaultDirectory(FileSystems.getDefault()));
    }

    private Map<Platform, Path> recipes(Path ctx) {
        Map<Platform, Path> out = new LinkedHashMap<>();
        Path defaultRecipe = file != null ? FileSystems.getDefault().getPath(file) : ctx.resolve("Dockerfile");
        Map<Platform, Path> fileFor = new LinkedHashMap<>();
        for (Platform p : Sources.platforms(platforms)) {
            out.put(p, defaultRecipe);
        }
        for (String f : this.fileFor) {
            int eq = f.indexOf('=');
            if (eq <= 0 || eq == f.length() - 1) {
                throw new Failures.UsageException("--file-for wants PLATFORM=RECIPE, not '" + f + "'");
            }
            Platform p = Sources.platforms(List.of(f.substring(0, eq))).get(0);
            Path recipe = FileSystems.getDefault().getPath(f.substring(eq + 1));
            Path earlier = fileFor.get(p);
            if (earlier != null) {
                throw new Failures.UsageException("--file-for " + p + " is given twice (" + earlier + " and " + recipe
                        + "); an index holds one image per platform");
            }
            fileFor.put(p, recipe);
            out.put(p, recipe);
        }
        if (out.isEmpty()) {
            out.put(Platform.parse("linux/amd64"), defaultRecipe);
        }
        return out;
    }

    private long timestamp() {
        String value = timestamp != null ? timestamp : System.getenv("SOURCE_DATE_EPOCH");
        if (value == null || value.isEmpty() && timestamp == null) {
            return 0; // an empty SOURCE_DATE_EPOCH is unset, by the convention; an empty --timestamp is a mistake
        }
        try {
            long t = Long.parseLong(value.trim());
            if (t < 0 || t > 253402300799L) {
                throw new NumberFormatException();
            }
            return t;
        } catch (NumberFormatException e) {
            throw new Failures.UsageException((timestamp != null ? "--timestamp" : "SOURCE_DATE_EPOCH")
                    + " must be whole seconds since 1970 (0 to 253402300799), not '" + value + "'");
        }
    }

    /** A size such as {@code 512}, {@code 100M} or {@code 64G} (K, M, G, T: powers of 1024; an optional B or iB). */
    static long size(String option, String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\\s*([0-9]{1,19})\\s*([kmgt]?)(i?b)?\\s*").matcher(text);
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                int shift = switch (m.group(2).toLowerCase()) {
                    case "k" -> 10;
                    case "m" -> 20;
                    case "g" -> 30;
                    case "t" -> 40;
                    default -> 0;
                };
                if (n > 0 && n <= Long.MAX_VALUE >> shift) {
                    return n << shift;
                }
            } catch (NumberFormatException e) {
                // too many digits: said below
            }
        }
        throw new Failures.UsageException(option + " wants a positive size such as 512, 100M or 64G, not '" + text + "'");
    }

    private Map<String, String> buildArgs() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : buildArgs) {
            int eq = a.indexOf('=');
            if (eq == 0) {
                throw new Failures.UsageException("--build-arg wants K=V, not '" + a + "'");
            }
            if (eq < 0) {
                String env = System.getenv(a);
                if (env != null) {
                    m.put(a, env);
                }
            } else {
                m.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        return m;
    }

    private static IgnoreRules ignoreRules(Path ctx) throws IOException {
        Path f = ctx.resolve(".dockerignore");
        if (!Files.isRegularFile(f)) {
            return IgnoreRules.none();
        }
        return IgnoreRules.parse(f.toString(), new String(dev.kiln.layout.SmallFiles.read(f, 1024 * 1024), StandardCharsets.UTF_8));
    }

    /**
     * Deletes a layout this build created, unless another writer (a second build into the same new
     * folder) has tagged something in it or is still writing blobs into it: waits for those writers
     * like gc does, then deletes only a layout whose index is empty.
     */
    private static void removeIfUnused(OciLayout layout, Path dir) {
        try {
            layout.exclusively(() -> {
                if (layout.index().manifests().isEmpty()) {
                    deleteTree(dir);
                }
                return null;
            });
        } catch (IOException | RuntimeException e) {
            // leave it: an empty layout is harmless
        }
    }

    static void deleteTree(Path p) {
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (IOException e) {
                    // a leftover temp file is not worth failing the build for
                }
            });
        } catch (IOException e) {
            // as above
        }
    }
}
