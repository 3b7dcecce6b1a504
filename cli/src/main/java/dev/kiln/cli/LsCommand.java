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
        description = "List the images of a layout: tags, digests, platforms.",
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
            rows.add(new Row(d, platforms(oci, d)));
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
                ArrayNode p = o.putArray("platforms");
                r.platforms.forEach(p::add);
            }
            out.println(Json.pretty(array));
            return 0;
        }
        if (rows.isEmpty()) {
            out.println("(no images)");
            return 0;
        }
        int width = Math.max(4, rows.stream().mapToInt(r -> Printable.text(OciLayout.displayName(r.entry)).length()).max().orElse(4));
        out.printf("%-" + width + "s  %-19s  %-8s  %s%n", "NAME", "DIGEST", "TYPE", "PLATFORMS");
        for (Row r : rows) {
            out.printf("%-" + width + "s  %-19s  %-8s  %s%n", Printable.text(OciLayout.displayName(r.entry)),
                    r.entry.digest().algorithm() + ":" + r.entry.digest().shortHex(),
                    MediaTypes.isIndex(r.entry.mediaType()) ? "index" : "manifest", Printable.text(String.join(", ", r.platforms)));
        }
        return 0;
    }

    private record Row(Descriptor entry, List<String> platforms) {
    }

    /** The platforms of an entry: from the nested index, or from the config of a single manifest. */
    static List<String> platforms(OciLayout oci, Descriptor d) {
        List<String> out = new ArrayList<>();
        try {
            if (MediaTypes.isIndex(d.mediaType())) {
                ImageIndex index = ImageIndex.parse(oci.blobs().readSmall(d), d.digest().toString());
                for (Descriptor m : index.manifests()) {
                    if (m.platform() != null && !"unknown".equals(m.platform().os())) {
                        out.add(m.platform().toLongString());
                    }
                }
            } else if (MediaTypes.isManifest(d.mediaType())) {
                ImageManifest m = ImageManifest.parse(oci.blobs().readSmall(d), d.digest().toString());
                ImageConfig c = ImageConfig.parse(oci.blobs().readSmall(m.config()), m.config().digest().toString());
                out.add(c.platform().toLongString());
            }
        } catch (IOException | RuntimeException e) {
            out.add("(unreadable: " + Failures.oneLine(e.getMessage()) + ")");
        }
        return out;
    }
}
