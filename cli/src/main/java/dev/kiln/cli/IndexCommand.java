package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.builder.image.IndexAnnotator;
import dev.kiln.layout.json.Json;
import dev.kiln.builder.image.IndexAssembler;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.transport.CopyOptions;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageReference;
import dev.kiln.layout.transport.ImageSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "index", sortOptions = false,
        description = "Make and edit multi-platform image indexes, like `docker manifest create` and `annotate`.",
        subcommands = {IndexCommand.Create.class, IndexCommand.Annotate.class})
final class IndexCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", sortOptions = false,
            description = {"Join single-platform images (from one layout or several) into one index under DEST's tag.",
                "Each image's platform (with os.version and os.features) comes from its config; blobs are copied into DEST."},
            footer = {"", "Examples:", "  kiln index create oci:out:latest oci:out:linux oci:out:windows",
                "  kiln index create oci:out:1.0 oci:amd64-build:1.0 oci-archive:arm64-build.tar:1.0"})
    static final class Create implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        CommonOptions common;

        @Mixin
        RegistryFlags registry;

        @Parameters(index = "0", paramLabel = "DEST", description = "Where the index goes, with its tag: oci:DIR:TAG or docker://HOST/REPO:TAG.")
        String destination;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE", description = "Single-platform images.")
        List<String> images = new ArrayList<>();

        @Option(names = {"-t", "--tag"}, paramLabel = "TAG", description = "More tags for the index (repeatable).")
        List<String> tags = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            ImageReference dest = Sources.parse(destination);
            List<ImageSource> opened = new ArrayList<>();
            var transports = Sources.transports(registry.options(4, common.debug, spec.commandLine().getErr()));
            try (ImageDestination d = Sources.destination(destination, transports)) {
                List<IndexAssembler.Source> sources = new ArrayList<>();
                for (String image : images) {
                    ImageSource s = Sources.source(image, transports);
                    opened.add(s);
                    sources.add(new IndexAssembler.Source(s, image));
                }
                List<String> all = new ArrayList<>(tags);
                if (dest.name() != null && dest.transport() == ImageReference.Transport.OCI) {
                    all.add(0, dest.name());
                }
                Descriptor root = IndexAssembler.create(sources, d, all, CopyOptions.defaults().withParallelism(4));
                if (common.json) {
                    ObjectNode o = Json.object();
                    o.put("destination", destination);
                    o.put("digest", root.digest().toString());
                    o.put("mediaType", root.mediaType());
                    o.put("size", root.size());
                    ArrayNode list = o.putArray("images");
                    images.forEach(list::add);
                    ArrayNode tagList = o.putArray("tags");
                    all.forEach(tagList::add);
                    spec.commandLine().getOut().println(Json.pretty(o));
                } else {
                    spec.commandLine().getOut().println("created " + destination + " " + root.digest() + " (" + images.size() + " images)");
                }
            } finally {
                for (ImageSource s : opened) {
                    s.close();
                }
            }
            return 0;
        }
    }

    @Command(name = "annotate", sortOptions = false,
            description = {"Set the platform fields of one entry of an index (by platform or digest); the index is rewritten",
                "and the tag moves to it."},
            footer = {"", "Examples:",
                "  kiln index annotate oci:out:latest windows/amd64 --os-version 10.0.17763.5576",
                "  kiln index annotate oci:out:latest sha256:4f2a9c0e11aa --arch arm64 --variant v8"})
    static final class Annotate implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        CommonOptions common;

        @Parameters(index = "0", paramLabel = "INDEX", description = "oci:DIR:TAG naming an index.")
        String index;

        @Parameters(index = "1", paramLabel = "ENTRY", description = "The entry: its platform or (the start of) its digest.")
        String entry;

        @Option(names = "--os") String os;
        @Option(names = "--arch") String arch;
        @Option(names = "--variant") String variant;
        @Option(names = "--os-version") String osVersion;
        @Option(names = "--os-features", split = ",", description = "Comma-separated.") List<String> osFeatures;

        @Override
        public Integer call() throws IOException {
            ImageReference ref = Sources.parse(index);
            if (ref.transport() != ImageReference.Transport.OCI || ref.name() == null) {
                throw new Failures.UsageException("annotate works on a tagged index in a layout: oci:DIR:TAG");
            }
            OciLayout layout = OciLayout.open(References.path(ref));
            Descriptor d = IndexAnnotator.annotate(layout, ref.name(), entry,
                    new IndexAnnotator.Change(os, arch, variant, osVersion, osFeatures));
            if (common.json) {
                ObjectNode o = Json.object();
                o.put("index", index);
                o.put("entry", entry);
                o.put("digest", d.digest().toString());
                o.put("mediaType", d.mediaType());
                o.put("size", d.size());
                spec.commandLine().getOut().println(Json.pretty(o));
            } else {
                spec.commandLine().getOut().println("annotated " + entry + " in " + index + " -> " + d.digest());
            }
            return 0;
        }

    }
}
