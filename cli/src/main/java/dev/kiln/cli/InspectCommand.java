package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.json.Raw;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.ImageReader;
import dev.kiln.layout.transport.ImageSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", sortOptions = false,
        description = {"Show an image: for an index, its platforms (and other entries); for an image (or with --platform),",
            "its manifest and config summary: platform, Env, Entrypoint, Cmd, WorkingDir, User, ports, labels, layers;",
            "for an artifact (a Helm chart, an OCI 1.1 artifact), its artifactType, config and layers.",
            "Subject and annotations are shown when the manifest has them."},
        footer = {"", "Examples:", "  kiln inspect oci:out:1.0", "  kiln inspect --platform linux/arm64 oci:out:1.0",
            "  kiln inspect --raw oci:out:1.0 | jq .", "  kiln inspect --config --platform linux/amd64 oci-archive:hello.tar"})
final class InspectCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    RegistryFlags registry;

    @Option(names = "--raw", description = "Print the manifest or index exactly as stored (no newline added).")
    boolean raw;

    @Option(names = "--config", description = "Print the config exactly as stored (no newline added).")
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
                printExactly(out, source.readManifest(root));
                return 0;
            }
            if (index && wanted == null && !config) {
                printIndex(out, reader, root);
                return 0;
            }
            Descriptor manifest = reader.manifestFor(wanted);
            Raw<ImageManifest> m = reader.readManifest(manifest);
            if (raw) {
                printExactly(out, m.bytes());
            } else if (!m.value().isImage()) {
                if (config) {
                    printExactly(out, source.readManifest(m.value().config()));
                } else {
                    ManifestView.artifact(out, manifest, m.value(), common.json);
                }
            } else if (config) {
                printExactly(out, reader.image(manifest).config().bytes());
            } else {
                ManifestView.image(out, reader.image(manifest), common.json);
            }
        }
        return 0;
    }

    /** The bytes as stored, with no newline added: {@code kiln inspect --raw REF | sha256sum} is the digest. */
    private static void printExactly(PrintWriter out, byte[] bytes) {
        out.print(new String(bytes, StandardCharsets.UTF_8));
        out.flush();
    }

    private void printIndex(PrintWriter out, ImageReader reader, Descriptor root) throws IOException {
        Raw<ImageIndex> index = reader.readIndex(root);
        List<ImageReader.PlatformEntry> entries = reader.platformEntries(index);
        Set<Digest> images = new HashSet<>();
        entries.forEach(e -> images.add(e.descriptor().digest()));
        // what the index lists besides platform images: artifacts, attestations, types kiln does not know
        List<Descriptor> others = index.value().manifests().stream()
                .filter(d -> !images.contains(d.digest()) && !MediaTypes.isIndex(d.mediaType())).toList();
        ImageIndex value = index.value();
        if (common.json) {
            ObjectNode o = Json.object();
            o.put("digest", root.digest().toString());
            o.put("mediaType", root.mediaType());
            if (value.artifactType() != null) {
                o.put("artifactType", value.artifactType());
            }
            ArrayNode list = o.putArray("manifests");
            for (ImageReader.PlatformEntry e : entries) {
                ObjectNode m = list.addObject();
                m.put("platform", e.platform() == null ? null : e.platform().toLongString());
                m.put("digest", e.descriptor().digest().toString());
                m.put("size", e.descriptor().size());
            }
            ArrayNode other = o.putArray("otherEntries");
            others.forEach(d -> other.add(d.toJson()));
            if (value.subject() != null) {
                o.set("subject", value.subject().toJson());
            }
            if (value.annotations() != null) {
                ObjectNode a = o.putObject("annotations");
                value.annotations().forEach(a::put);
            }
            out.println(Json.pretty(o));
            return;
        }
        out.println("Digest:    " + root.digest());
        out.println("MediaType: " + Printable.text(root.mediaType()));
        if (value.artifactType() != null) {
            out.println("ArtifactType: " + Printable.text(value.artifactType()));
        }
        out.println("Platforms:" + (entries.isEmpty() ? " (none: the index lists no image manifest)" : ""));
        for (ImageReader.PlatformEntry e : entries) {
            out.printf("  %-28s %s%n", e.platform() == null ? "(none)" : Printable.text(e.platform().toLongString()), e.descriptor().digest());
        }
        if (!others.isEmpty()) {
            out.println("Other entries:");
            for (Descriptor d : others) {
                String what = ImageReader.isAttestation(d) ? "attestation"
                        : d.artifactType() != null ? "artifact " + Printable.text(d.artifactType()) : "";
                out.println("  " + ManifestView.describe(d) + (what.isEmpty() ? "" : "  " + what));
            }
        }
        if (value.subject() != null) {
            out.println("Subject:   " + ManifestView.describe(value.subject()));
        }
        if (value.annotations() != null) {
            out.println("Annotations:");
            value.annotations().forEach((k, v) -> out.println("  " + Printable.text(k) + "=" + Printable.text(v)));
        }
    }
}
