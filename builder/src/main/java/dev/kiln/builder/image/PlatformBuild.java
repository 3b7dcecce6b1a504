package dev.kiln.builder.image;

import dev.kiln.builder.layer.BuiltLayer;
import dev.kiln.builder.layer.LayerCache;
import dev.kiln.layout.store.DirectoryBlobStore;
import dev.kiln.builder.layer.LayerEntry;
import dev.kiln.builder.recipe.Instruction;
import dev.kiln.builder.recipe.Recipe;
import dev.kiln.builder.recipe.Stage;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.History;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.store.BlobWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Builds one platform's image from a parsed recipe: each stage from its base, instruction by
 * instruction (config changes, one layer per COPY/ADD and per WORKDIR that makes a folder), then
 * the target stage's config and manifest into the output blob store. Nothing is tagged here.
 */
public final class PlatformBuild {
    private final BuildSettings settings;
    private final Recipe recipe;
    private final String recipeFile;
    private final Platform platform;
    private final Map<String, StageImage> built = new HashMap<>();
    /** Each built stage's variables at its end (ENV and declared ARGs): a stage built on it starts with them. */
    private final Map<Integer, Map<String, String>> stageVariables = new HashMap<>();
    /** Root file systems extracted for COPY --from, by stage index or image reference. */
    private final Map<String, CopyPlan.SourceRoot> extracted = new HashMap<>();
    private final List<Path> tempDirs = new ArrayList<>();
    private ImageTreeReader trees;
    private BuildListener listener = BuildListener.NONE;
    private java.util.Map<String, CompletableFuture<BuiltLayer>> inFlight = new java.util.concurrent.ConcurrentHashMap<>();

    public PlatformBuild(BuildSettings settings, Recipe recipe, String recipeFile, Platform platform) {
        this.settings = settings;
        this.recipe = recipe;
        this.recipeFile = recipeFile;
        this.platform = platform;
    }

    /** Layers being written by the other platforms of the same build, by input key (shared map). */
    public PlatformBuild sharing(java.util.Map<String, CompletableFuture<BuiltLayer>> layersInFlight) {
        this.inFlight = layersInFlight;
        return this;
    }

    public PlatformBuild listener(BuildListener l) {
        this.listener = l == null ? BuildListener.NONE : l;
        return this;
    }

    /** Builds and stores the image; returns the manifest descriptor with its platform. */
    public Result build() throws IOException {
        trees = new ImageTreeReader(settings.out(), settings.maxExpandedBytes());
        try {
            List<Stage> stages = recipe.stages();
            Stage target = settings.targetStage() == null ? stages.get(stages.size() - 1) : findStage(settings.targetStage(), null);
            StageImage image = buildStage(target);
            return store(image);
        } finally {
            for (Path dir : tempDirs) {
                RootfsExtractor.deleteTree(dir);
            }
        }
    }

    /** The stored image: manifest descriptor (platform set), manifest and config. */
    public record Result(Descriptor manifest, ImageManifest manifestValue, ImageConfig config) {
    }

    private Stage findStage(String nameOrIndex, String where) {
        Stage s = recipe.stage(nameOrIndex).orElse(null);
        if (s == null && where == null) {
            throw new BuildException(recipeFile + ": no stage named '" + nameOrIndex + "'");
        }
        return s;
    }

    private String where(Instruction i) {
        return recipeFile + ":" + i.line();
    }

    private StageImage buildStage(Stage stage) throws IOException {
        String key = String.valueOf(stage.index());
        StageImage done = built.get(key);
        if (done != null) {
            return done;
        }
        Instruction.From from = stage.from();
        String where = where(from);
        Platform stagePlatform = platform;
        if (from.platform() != null && !from.platform().isEmpty()) {
            try {
                stagePlatform = Platform.parse(from.platform());
            } catch (IllegalArgumentException e) {
                throw new BuildException(where + ": " + e.getMessage());
            }
        }
        StageState state;
        Map<String, String> baseVariables = null;
        Stage parent = recipe.baseStage(stage).orElse(null);
        if (parent != null) {
            StageImage p = buildStage(parent);
            state = StageState.fromStage(p, settings, stagePlatform, where);
            baseVariables = stageVariables.get(parent.index());
        } else {
            BaseImage base = settings.bases().resolve(from.image(), stagePlatform, where);
            state = StageState.fromBase(base, settings, stagePlatform, where);
        }
        state.withTrees(trees);
        if (!state.windows && !state.editor.env().containsKey("PATH")) {
            // BuildKit gives every Linux stage a PATH when its base has none (FROM scratch), in the config too
            state.editor.env(Map.of("PATH", Recipe.DEFAULT_PATH));
        }
        // a stage built on an earlier stage starts from that stage's variables, its declared ARGs included
        Map<String, String> baseEnv = baseVariables != null ? baseVariables : new LinkedHashMap<>(state.editor.env());
        List<String> triggers = state.editor.onBuildTriggers();
        for (String trigger : triggers) {
            String keyword = trigger.strip().split("\\s+", 2)[0];
            if (keyword.equalsIgnoreCase("RUN")) {
                throw new BuildException(where + ": base image '" + from.image() + "' has the ONBUILD trigger '"
                        + trigger + "', which needs a container; kiln runs nothing");
            }
        }
        state.editor.clearOnBuild(); // triggers run here and do not carry over (BuildKit)
        Recipe.ExpandedStage expanded = recipe.expand(stage, baseEnv, triggers);
        stageVariables.put(stage.index(), expanded.variables());
        for (Instruction i : expanded.instructions()) {
            try {
                apply(state, i);
            } catch (IllegalArgumentException e) {
                // a value the recipe gave that a lower layer refuses (a layer path with NUL, a bad mode...):
                // the recipe's fault, so name its line (and not a usage error of the command line)
                throw new BuildException(where(i) + ": " + e.getMessage(), e);
            }
        }
        StageImage image = state.finish(stage.name() == null ? "#" + stage.index() : stage.name());
        built.put(key, image);
        return image;
    }

    private void apply(StageState s, Instruction i) throws IOException {
        String where = where(i);
        if (i instanceof Instruction.Env e) {
            s.editor.env(e.variables());
            s.history(i.text(), true);
        } else if (i instanceof Instruction.Label l) {
            s.editor.labels(l.labels());
            s.history(i.text(), true);
        } else if (i instanceof Instruction.Maintainer m) {
            s.author = m.name(); // the config's author, as BuildKit sets it (no label)
            s.history(i.text(), true);
        } else if (i instanceof Instruction.Arg a) {
            // ARG changes no config; BuildKit records no history for it
        } else if (i instanceof Instruction.Workdir w) {
            String dir = s.editor.workdir(w.path());
            List<LayerEntry> entries = s.windows ? List.of() : WorkdirPlan.entries(s, dir, where);
            if (!entries.isEmpty()) {
                s.addLayer(writeLayer(entries, where), entries, i.text());
            } else {
                s.history(i.text(), true);
            }
        } else if (i instanceof Instruction.User u) {
            s.editor.user(u.user());
            s.history(i.text(), true);
        } else if (i instanceof Instruction.Entrypoint e) {
            s.editor.entrypoint(e.command().withShell(s.editor.currentShell()), false);
            s.editor.entrypointArgsEscaped(!e.command().execForm());
            s.history(i.text(), true);
        } else if (i instanceof Instruction.Cmd c) {
            s.editor.cmd(c.command().withShell(s.editor.currentShell()), false);
            s.editor.cmdArgsEscaped();
            s.history(i.text(), true);
        } else if (i instanceof Instruction.Expose e) {
            s.editor.expose(e.ports());
            s.history(i.text(), true);
        } else if (i instanceof Instruction.Volume v) {
            s.editor.volumes(v.paths());
            s.history(i.text(), true);
        } else if (i instanceof Instruction.StopSignal st) {
            s.editor.stopSignal(st.signal());
            s.history(i.text(), true);
        } else if (i instanceof Instruction.Healthcheck h) {
            s.editor.healthcheck(h.toConfig());
            s.history(i.text(), true);
        } else if (i instanceof Instruction.Shell sh) {
            s.editor.shell(sh.shell());
            s.history(i.text(), true);
        } else if (i instanceof Instruction.Onbuild o) {
            s.editor.onBuild(o.trigger());
            s.history(i.text(), true);
        } else if (i instanceof Instruction.Copy c) {
            CopyPlan.SourceRoot root = c.from() == null ? new CopyPlan.SourceRoot(settings.context(), null)
                    : rootOf(c.from(), where);
            CopyPlan plan = new CopyPlan(root, c.from() == null ? settings.ignore() : null, where, s, tempDirs);
            List<LayerEntry> entries = plan.copy(c.sources(), c.destination(), c.chown(), c.chmod(), false);
            s.addLayer(writeLayer(entries, where), entries, i.text());
        } else if (i instanceof Instruction.Add a) {
            for (String src : a.sources()) {
                if (src.matches("(?i)^[a-z][a-z0-9+.-]*://.*") || src.startsWith("git@")) {
                    throw new BuildException(where + ": ADD from a URL ('" + src + "') needs the network; kiln builds offline: download it and ADD the file");
                }
            }
            CopyPlan plan = new CopyPlan(new CopyPlan.SourceRoot(settings.context(), null), settings.ignore(), where, s,
                    tempDirs);
            boolean unpack = a.unpack() == null || a.unpack();
            List<LayerEntry> entries = plan.copy(a.sources(), a.destination(), a.chown(), a.chmod(), unpack);
            s.addLayer(writeLayer(entries, where), entries, i.text());
        } else {
            throw new BuildException(where + ": unexpected " + i.getClass().getSimpleName() + " inside a stage");
        }
    }

    /** The root file system of an earlier stage, or of an image, for COPY --from (extracted once per build). */
    private CopyPlan.SourceRoot rootOf(String from, String where) throws IOException {
        Stage stage = findStage(from, where);
        String key = stage != null ? "#" + stage.index() : from;
        CopyPlan.SourceRoot done = extracted.get(key);
        if (done != null) {
            return done;
        }
        StageImage image;
        if (stage != null) {
            image = buildStage(stage);
        } else {
            BaseImage base = settings.bases().resolve(from, platform, where);
            StageState st = StageState.fromBase(base, settings, platform, where);
            image = st.finish(from);
        }
        Path dir = Files.createTempDirectory(settings.tempDir(), "stage-");
        tempDirs.add(dir);
        RootfsExtractor extractor = new RootfsExtractor(dir, settings.maxExpandedBytes());
        for (Descriptor layer : image.layers()) {
            if (!settings.out().exists(layer.digest())) {
                if (MediaTypes.isForeignLayer(layer.mediaType())) {
                    continue;
                }
                throw new BuildException(where + ": layer " + layer.digest() + " of '" + from + "' is missing");
            }
            try (InputStream in = settings.out().openVerified(layer)) {
                extractor.apply(in, where + ": COPY --from=" + from + " layer " + layer.digest());
            }
        }
        CopyPlan.SourceRoot root = new CopyPlan.SourceRoot(dir, extractor);
        extracted.put(key, root);
        return root;
    }

    private BuiltLayer writeLayer(List<LayerEntry> entries, String where) throws IOException {
        LayerCache cache = settings.cache();
        String key = LayerCache.key(settings.layers(), entries);
        if (key != null && cache != null) {
            var cached = cache.fetch(key, settings.out());
            if (cached.isPresent()) {
                listener.layer(platform, where, cached.get(), true);
                return cached.get();
            }
        }
        // platforms built at the same time often make the same layer (COPY of one file for all):
        // the first compresses it, the others wait for its result instead of compressing it again
        CompletableFuture<BuiltLayer> mine = null;
        if (key != null) {
            mine = new CompletableFuture<>();
            CompletableFuture<BuiltLayer> other = inFlight.putIfAbsent(key, mine);
            if (other != null) {
                try {
                    BuiltLayer shared = other.join();
                    listener.layer(platform, where, shared, true);
                    return shared;
                } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                    mine = null; // the other platform failed: build it here
                }
            }
        }
        BuiltLayer layer;
        try (BlobWriter w = settings.out().writer()) {
            layer = settings.layers().build(entries, w);
        } catch (dev.kiln.builder.layer.LayerException e) {
            fail(key, mine, e);
            throw new BuildException(where + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException | Error e) {
            fail(key, mine, e);
            throw e;
        }
        if (mine != null) {
            mine.complete(layer);
        }
        if (key != null && cache != null && settings.out() instanceof DirectoryBlobStore dir) {
            cache.store(key, layer, dir);
        }
        listener.layer(platform, where, layer, false);
        return layer;
    }

    private void fail(String key, CompletableFuture<BuiltLayer> mine, Throwable t) {
        if (mine != null) {
            inFlight.remove(key, mine);
            mine.completeExceptionally(t);
        }
    }

    private Result store(StageImage image) throws IOException {
        boolean docker = settings.dockerFormat();
        ImageConfig config = image.config();
        byte[] configBytes = config.toBytes();
        Descriptor configDesc = settings.out().putBytes(docker ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG, configBytes);
        List<Descriptor> layers = new ArrayList<>();
        for (Descriptor l : image.layers()) {
            layers.add(docker ? l.withMediaType(MediaTypes.toDocker(l.mediaType())) : l.withMediaType(MediaTypes.toOci(l.mediaType())));
        }
        ImageManifest manifest = new ImageManifest(docker ? MediaTypes.DOCKER_MANIFEST : MediaTypes.OCI_MANIFEST,
                configDesc, layers);
        byte[] bytes = manifest.toBytes();
        Descriptor desc = settings.out().putBytes(manifest.mediaType(), bytes);
        return new Result(desc.withPlatform(config.platform()), manifest, config);
    }
}
