package dev.kiln.builder.image;

import dev.kiln.builder.recipe.Recipe;
import dev.kiln.builder.recipe.RecipeParser;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Builds every requested platform (in parallel, on a bounded pool) and joins them: one platform
 * gives its manifest, several give one image index with a platform entry per manifest. Recipes are
 * parsed for every platform before anything is built, so a recipe error writes nothing.
 */
public final class MultiPlatformBuild {
    private final BuildSettings settings;
    private final Platform buildPlatform;
    private BuildListener listener = BuildListener.NONE;

    public MultiPlatformBuild(BuildSettings settings, Platform buildPlatform) {
        this.settings = settings;
        this.buildPlatform = buildPlatform;
    }

    public MultiPlatformBuild listener(BuildListener l) {
        this.listener = l == null ? BuildListener.NONE : l;
        return this;
    }

    /** What was built: the root (index or manifest) and each platform's result. */
    public record Result(Descriptor root, List<PlatformBuild.Result> platforms) {
    }

    /**
     * @param recipes the recipe file of each platform, in the order of the index entries
     */
    public Result build(Map<Platform, Path> recipes, int parallelism) throws IOException {
        if (recipes.isEmpty()) {
            throw new BuildException("no platform to build");
        }
        Map<Platform, Recipe> parsed = new LinkedHashMap<>();
        Map<Platform, String> names = new LinkedHashMap<>();
        for (Map.Entry<Platform, Path> e : recipes.entrySet()) {
            Path file = e.getValue();
            String text = read(file);
            parsed.put(e.getKey(), RecipeParser.parse(file.toString(), text, settings.buildArgs(), platformArgs(e.getKey())));
            names.put(e.getKey(), file.toString());
        }
        List<PlatformBuild.Result> results = new ArrayList<>();
        java.util.Map<String, CompletableFuture<dev.kiln.builder.layer.BuiltLayer>> layersInFlight =
                new java.util.concurrent.ConcurrentHashMap<>();
        int threads = Math.max(1, Math.min(parallelism, parsed.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "kiln-platform");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<PlatformBuild.Result>> futures = new ArrayList<>();
            for (Map.Entry<Platform, Recipe> e : parsed.entrySet()) {
                PlatformBuild b = new PlatformBuild(settings, e.getValue(), names.get(e.getKey()), e.getKey())
                        .listener(listener).sharing(layersInFlight);
                futures.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return b.build();
                    } catch (IOException ex) {
                        throw new CompletionException(ex);
                    }
                }, pool));
            }
            for (CompletableFuture<PlatformBuild.Result> f : futures) {
                try {
                    results.add(f.join());
                } catch (CompletionException ex) {
                    futures.forEach(o -> o.cancel(true));
                    Throwable cause = ex.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new BuildException("build failed: " + cause, cause);
                }
            }
        } finally {
            pool.shutdownNow();
            awaitQuietly(pool); // no platform still writes (or leaves a partial blob behind) once build returns
        }
        checkDistinct(results);
        if (results.size() == 1) {
            return new Result(results.get(0).manifest().withPlatform(null), results);
        }
        List<Descriptor> entries = results.stream().map(PlatformBuild.Result::manifest).toList();
        ImageIndex index = new ImageIndex(settings.dockerFormat() ? MediaTypes.DOCKER_MANIFEST_LIST : MediaTypes.OCI_INDEX, entries);
        Descriptor root = settings.out().putBytes(index.mediaType(), index.toBytes());
        return new Result(root, results);
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void checkDistinct(List<PlatformBuild.Result> results) {
        for (int i = 0; i < results.size(); i++) {
            for (int j = i + 1; j < results.size(); j++) {
                if (results.get(i).manifest().platform().sameAs(results.get(j).manifest().platform())) {
                    throw new BuildException("two images for platform " + results.get(i).manifest().platform()
                            + ": an index needs one entry per platform");
                }
            }
        }
    }

    private static String read(Path file) throws IOException {
        try {
            if (Files.size(file) > 1024 * 1024) {
                throw new BuildException(file + ": recipe is over 1 MiB");
            }
            byte[] bytes = dev.kiln.layout.SmallFiles.read(file, 1024 * 1024);
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new BuildException(file + ": recipe not found");
        } catch (CharacterCodingException e) {
            throw new BuildException(file + ":" + firstBadLine(file) + ": recipe is not UTF-8 text (this line has bytes that are not UTF-8)");
        }
    }

    /** The 1-based line of the first byte that is not UTF-8. */
    private static int firstBadLine(Path file) throws IOException {
        byte[] bytes = dev.kiln.layout.SmallFiles.read(file, 1024 * 1024);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        StandardCharsets.UTF_8.newDecoder().decode(in, out, true);
        int line = 1;
        for (int i = 0; i < in.position(); i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    /** BuildKit's automatic platform args. */
    Map<String, String> platformArgs(Platform target) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("TARGETPLATFORM", target.toString());
        m.put("TARGETOS", target.os());
        m.put("TARGETARCH", target.architecture());
        m.put("TARGETVARIANT", target.variant() == null ? "" : target.variant());
        m.put("BUILDPLATFORM", buildPlatform.toString());
        m.put("BUILDOS", buildPlatform.os());
        m.put("BUILDARCH", buildPlatform.architecture());
        m.put("BUILDVARIANT", buildPlatform.variant() == null ? "" : buildPlatform.variant());
        return m;
    }
}
