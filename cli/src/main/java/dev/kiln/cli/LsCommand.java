package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ls", sortOptions = false,
        description = {"List the images and artifacts of a layout: names, digests, types (index, manifest, artifact),",
            "platforms, and the artifactType of artifacts."},
        footer = {"", "Examples:", "  kiln ls oci:out", "  kiln ls --json out"})
final class LsCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "LAYOUT", description = "oci:DIR or a layout folder.")
    String layout;

    @Override
    public Integer call() throws IOException {
        OciLayout oci = References.openLayout(layout);
        PrintWriter out = spec.commandLine().getOut();
        List<Row> rows = new ArrayList<>();
        for (Descriptor d : oci.index().manifests()) {
            rows.add(row(oci, d));
        }
        if (common.json) {
            ArrayNode array = Json.array();
            for (Row r : rows) {
                ObjectNode o = array.addObject();
                o.put("name", OciLayout.displayName(r.entry));
                String ref = r.entry.annotation(MediaTypes.ANNOTATION_REF_NAME);
                if (ref != null) {
                    o.put("tag", ref);
                }
                o.put("digest", r.entry.digest().toString());
                o.put("mediaType", r.entry.mediaType());
                o.put("size", r.entry.size());
                o.put("type", r.type);
                if (r.artifactType != null) {
                    o.put("artifactType", r.artifactType);
                }
                ArrayNode p = o.putArray("platforms");
                r.platforms.forEach(p::add);
                if (r.problem != null) {
                    o.put("problem", r.problem);
                }
            }
            out.println(Json.pretty(array));
            return 0;
        }
        if (rows.isEmpty()) {
            out.println("(no images)");
            return 0;
        }
        boolean artifacts = rows.stream().anyMatch(r -> r.artifactType != null);
        int width = Math.max(4, rows.stream().mapToInt(r -> Printable.text(OciLayout.displayName(r.entry)).length()).max().orElse(4));
        int platformWidth = Math.max(9, rows.stream().mapToInt(r -> r.platformText().length()).max().orElse(9));
        String format = "%-" + width + "s  %-19s  %-8s  " + (artifacts ? "%-" + platformWidth + "s  %s" : "%s%s") + "%n";
        out.printf(format, "NAME", "DIGEST", "TYPE", "PLATFORMS", artifacts ? "ARTIFACT TYPE" : "");
        for (Row r : rows) {
            String platforms = r.platformText();
            out.printf(format, Printable.text(OciLayout.displayName(r.entry)),
                    r.entry.digest().algorithm() + ":" + r.entry.digest().shortHex(), r.type,
                    platforms, artifacts && r.artifactType != null ? Printable.text(r.artifactType) : "");
        }
        return 0;
    }

    /**
     * One entry of index.json: its type ({@code index}, {@code manifest} for an image, {@code artifact}),
     * its platforms, its artifactType, and what kept kiln from reading it.
     */
    private record Row(Descriptor entry, String type, List<String> platforms, String artifactType, String problem) {
        String platformText() {
            String p = String.join(", ", platforms);
            if (problem != null) {
                p = (p.isEmpty() ? "" : p + " ") + "(unreadable: " + problem + ")";
            }
            return Printable.text(p);
        }
    }

    /** Reads what an entry is: a nested index's platforms, or a manifest's config (image) or type (artifact). */
    static Row row(OciLayout oci, Descriptor d) {
        List<String> platforms = new ArrayList<>();
        String type = MediaTypes.isIndex(d.mediaType()) ? "index" : MediaTypes.isManifest(d.mediaType()) ? "manifest" : "other";
        String artifactType = d.artifactType();
        try {
            if (MediaTypes.isIndex(d.mediaType())) {
                ImageIndex index = ImageIndex.parse(oci.blobs().readSmall(d), d.digest().toString());
                for (Descriptor m : index.manifests()) {
                    if (m.platform() != null && !"unknown".equals(m.platform().os())) {
                        platforms.add(m.platform().toLongString());
                    }
                }
                artifactType = index.artifactType() != null ? index.artifactType() : artifactType;
            } else if (MediaTypes.isManifest(d.mediaType())) {
                ImageManifest m = ImageManifest.parse(oci.blobs().readSmall(d), d.digest().toString());
                if (!m.isImage()) {
                    return new Row(d, "artifact", platforms, m.effectiveArtifactType(), null);
                }
                artifactType = m.artifactType();
                ImageConfig c = ImageConfig.parse(oci.blobs().readSmall(m.config()), m.config().digest().toString());
                platforms.add(c.platform().toLongString());
            } else if (MediaTypes.isSchema1(d.mediaType())) {
                return new Row(d, "schema1", platforms, null, "a Docker schema1 manifest (deprecated), which kiln does not read");
            } else {
                return new Row(d, type, platforms, artifactType, "media type " + d.mediaType() + " is not one kiln reads");
            }
        } catch (IOException | RuntimeException e) {
            return new Row(d, type, platforms, artifactType, Failures.oneLine(e.getMessage()));
        }
        return new Row(d, type, platforms, artifactType, null);
    }
}
