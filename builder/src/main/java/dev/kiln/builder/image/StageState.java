package dev.kiln.builder.image;

import dev.kiln.builder.layer.BuiltLayer;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.History;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** A stage being built: its config so far, its layers, diff_ids and history. */
final class StageState {
    final BuildSettings settings;
    final Platform platform;
    final boolean windows;
    final ImageConfig base;
    final ConfigEditor editor;
    final List<Descriptor> layers = new ArrayList<>();
    final List<Digest> diffIds = new ArrayList<>();
    final List<History> history;
    private UserDatabase users;
    /** The image's config author (MAINTAINER sets it). */
    String author;
    private ImageTreeReader trees;
    private ImageTree tree;

    private StageState(BuildSettings settings, Platform platform, ImageConfig base, List<Descriptor> baseLayers) {
        this.settings = settings;
        this.platform = platform;
        this.windows = "windows".equals(platform.os());
        this.base = base;
        this.editor = new ConfigEditor(base.config(), windows);
        this.layers.addAll(baseLayers);
        this.diffIds.addAll(base.diffIds());
        this.history = base.history() == null ? new ArrayList<>() : new ArrayList<>(base.history());
        this.author = base.author();
    }

    /** Where this stage reads its base's folders from (shared by the stages of one platform's build). */
    StageState withTrees(ImageTreeReader reader) {
        this.trees = reader;
        return this;
    }

    /**
     * The folders and links of the image so far (base layers read once, then each layer this stage
     * wrote applied in memory).
     */
    ImageTree tree(String where) throws IOException {
        if (tree == null) {
            tree = trees == null ? new ImageTree() : trees.tree(layers, where);
        }
        return tree;
    }

    /** A stage from an image: its layers are copied into the output store as they are. */
    static StageState fromBase(BaseImage image, BuildSettings settings, Platform platform, String where) throws IOException {
        if (image.layers().size() != image.config().diffIds().size()) {
            throw new BuildException(where + ": base image '" + image.reference() + "' has " + image.layers().size()
                    + " layers but " + image.config().diffIds().size() + " diff_ids");
        }
        ImageSource source = image.source();
        for (Descriptor layer : image.layers()) {
            if (settings.out().exists(layer.digest())) {
                continue;
            }
            if (MediaTypes.isForeignLayer(layer.mediaType()) && !source.hasBlob(layer)) {
                continue; // referenced by its urls, not copied
            }
            try (InputStream in = source.openBlob(layer)) {
                settings.out().put(layer, in);
            } catch (dev.kiln.layout.KilnException e) {
                throw new BuildException(where + ": base image '" + image.reference() + "': layer " + layer.digest()
                        + ": " + e.getMessage(), e);
            }
        }
        ImageConfig config = image.config();
        if (!image.isScratch() && !platform.matches(config.platform())) {
            throw new BuildException(where + ": base image '" + image.reference() + "' is for " + config.platform()
                    + ", not " + platform);
        }
        return new StageState(settings, platform, config, image.layers());
    }

    /** A stage that starts FROM an earlier stage. */
    static StageState fromStage(StageImage image, BuildSettings settings, Platform platform, String where) {
        return new StageState(settings, platform, image.config(), image.layers());
    }

    void history(String createdBy, boolean empty) {
        history.add(new History(settings.created(), createdBy, empty));
    }

    /** Adds a layer kiln wrote from {@code entries} (in the order the layer has them). */
    void addLayer(BuiltLayer layer, List<dev.kiln.builder.layer.LayerEntry> entries, String createdBy) {
        layers.add(layer.descriptor());
        diffIds.add(layer.diffId());
        history(createdBy, false);
        if (tree != null) {
            tree.apply(entries);
        }
    }

    /** Users and groups from the stage's /etc/passwd and /etc/group, for --chown by name. */
    UserDatabase users() throws IOException {
        if (users == null) {
            String passwd = null;
            String group = null;
            RootfsExtractor limits = new RootfsExtractor(null, settings.maxExpandedBytes());
            for (Descriptor layer : layers) {
                if (!settings.out().exists(layer.digest())) {
                    continue;
                }
                String what = "layer " + layer.digest() + " (looking for /etc/passwd and /etc/group)";
                try (InputStream raw = settings.out().openVerified(layer);
                     TarArchiveInputStream tar = limits.reader(raw, what)) {
                    for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                        String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                        if (e.isFile() && e.getSize() < 4 * 1024 * 1024) {
                            if (name.equals("etc/passwd")) {
                                passwd = new String(tar.readNBytes((int) e.getSize()), StandardCharsets.UTF_8);
                            } else if (name.equals("etc/group")) {
                                group = new String(tar.readNBytes((int) e.getSize()), StandardCharsets.UTF_8);
                            }
                        }
                    }
                } catch (dev.kiln.layout.KilnException e) {
                    throw e;
                } catch (IOException | RuntimeException e) {
                    throw new BuildException(what + ": invalid tar: "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ")), e);
                }
            }
            users = UserDatabase.parse(passwd, group);
        }
        return users;
    }

    StageImage finish(String name) {
        if (tree != null && trees != null) {
            trees.remember(layers, tree);
        }
        ImageConfig config = StageImage.config(base.withPlatform(platform.withOsFeatures(
                        platform.osFeatures() != null ? platform.osFeatures() : base.osFeatures())
                        .withOsVersion(platform.osVersion() != null ? platform.osVersion() : base.osVersion())),
                editor.result(), diffIds, history, settings.created(), author);
        return new StageImage(name, config.platform(), config, layers);
    }
}
