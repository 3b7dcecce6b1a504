package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.ContainerConfig;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.ImageReader;
import dev.kiln.layout.transport.ImageSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", sortOptions = false,
        description = {"Show an image: for an index, its platforms; for an image (or with --platform), its manifest",
            "and config summary: platform, Env, Entrypoint, Cmd, WorkingDir, User, ports, labels, layers."},
        footer = {"", "Examples:", "  kiln inspect oci:out:1.0", "  kiln inspect --platform linux/arm64 oci:out:1.0",
            "  kiln inspect --raw oci:out:1.0 | jq .", "  kiln inspect --config --platform linux/amd64 oci-archive:hello.tar"})
final class InspectCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    RegistryFlags registry;

    @Option(names = "--raw", description = "Print the manifest or index exactly as stored.")
    boolean raw;

    @Option(names = "--config", description = "Print the image config exactly as stored.")
    boolean config;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The platform to show from an index.")
    String platform;

    @Option(names = "--max-expanded-size", paramLabel = "SIZE", defaultValue = "64G",
            description = "Most bytes an archive being read may expand to, tar headers included (a gzipped archive "
                    + "could be a decompression bomb); K, M, G, T are powers of 1024 (default ${DEFAULT-VALUE}).")
    String maxExpandedSize;

    @Parameters(paramLabel = "IMAGE", description = "oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:NAME:TAG].")
    String image;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Platform wanted = platform == null ? null : Sources.platforms(List.of(platform)).get(0);
        var options = Sources.withLimit("--max-expanded-size", maxExpandedSize);
        try (ImageSource source = Sources.source(image,
                Sources.transports(registry.options(4, common.debug, spec.commandLine().getErr())), options)) {
            ImageReader reader = new ImageReader(source);
            Descriptor root = reader.root();
            boolean index = reader.rootIsIndex();
            if (raw && (wanted == null || !index)) {
                out.print(new String(source.readManifest(root), StandardCharsets.UTF_8));
                out.println();
                return 0;
            }
            if (index && wanted == null && !config) {
                printIndex(out, reader, root);
                return 0;
            }
            ImageReader.Image img = reader.image(wanted != null ? wanted : ImageReader.hostPlatform());
            if (raw) {
                out.println(new String(img.manifest().bytes(), StandardCharsets.UTF_8));
            } else if (config) {
                out.println(new String(img.config().bytes(), StandardCharsets.UTF_8));
            } else {
                printImage(out, img);
            }
        }
        return 0;
    }

    private void printIndex(PrintWriter out, ImageReader reader, Descriptor root) throws IOException {
        List<ImageReader.PlatformEntry> entries = reader.platformEntries();
        if (common.json) {
            ObjectNode o = Json.object();
            o.put("digest", root.digest().toString());
            o.put("mediaType", root.mediaType());
            ArrayNode list = o.putArray("manifests");
            for (ImageReader.PlatformEntry e : entries) {
                ObjectNode m = list.addObject();
                m.put("platform", e.platform() == null ? null : e.platform().toLongString());
                m.put("digest", e.descriptor().digest().toString());
                m.put("size", e.descriptor().size());
            }
            out.println(Json.pretty(o));
            return;
        }
        out.println("Digest:    " + root.digest());
        out.println("MediaType: " + Printable.text(root.mediaType()));
        out.println("Platforms:");
        for (ImageReader.PlatformEntry e : entries) {
            out.printf("  %-28s %s%n", e.platform() == null ? "(none)" : Printable.text(e.platform().toLongString()), e.descriptor().digest());
        }
    }

    private void printImage(PrintWriter out, ImageReader.Image img) {
        ImageConfig c = img.config().value();
        ContainerConfig cc = c.config();
        if (common.json) {
            ObjectNode o = Json.object();
            o.put("digest", img.descriptor().digest().toString());
            o.put("mediaType", img.descriptor().mediaType());
            o.put("platform", c.platform().toLongString());
            o.put("created", c.created());
            o.set("config", cc.toJson());
            ArrayNode layers = o.putArray("layers");
            img.manifest().value().layers().forEach(l -> layers.add(l.toJson()));
            out.println(Json.pretty(o));
            return;
        }
        out.println("Digest:      " + img.descriptor().digest());
        out.println("MediaType:   " + Printable.text(img.descriptor().mediaType()));
        out.println("Platform:    " + Printable.text(c.platform().toLongString()));
        out.println("Created:     " + (c.created() == null ? "" : Printable.text(c.created())));
        line(out, "User", cc.user());
        line(out, "WorkingDir", cc.workingDir());
        list(out, "Env", cc.env());
        list(out, "Entrypoint", cc.entrypoint());
        list(out, "Cmd", cc.cmd());
        list(out, "ExposedPorts", cc.exposedPorts());
        list(out, "Volumes", cc.volumes());
        if (cc.labels() != null) {
            out.println("Labels:");
            cc.labels().forEach((k, v) -> out.println("  " + Printable.text(k) + "=" + Printable.text(v)));
        }
        line(out, "StopSignal", cc.stopSignal());
        out.println("Layers:");
        img.manifest().value().layers().forEach(l -> out.println("  " + l.digest() + "  " + Progress.human(l.size()) + "  "
                + Printable.text(l.mediaType())));
    }

    private static void line(PrintWriter out, String name, String value) {
        if (value != null && !value.isEmpty()) {
            out.printf("%-12s %s%n", name + ":", Printable.text(value));
        }
    }

    private static void list(PrintWriter out, String name, List<String> values) {
        if (values != null) {
            out.printf("%-12s %s%n", name + ":", Json.toString(Json.mapper().valueToTree(values)));
        }
    }
}
