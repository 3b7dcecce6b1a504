package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.transport.ImageReference;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "tag", sortOptions = false,
        description = {"Give an image of a layout more tags (or remove one with --delete).",
            "A full name such as example.com/hello:1.0 sets both org.opencontainers.image.ref.name (1.0)",
            "and io.containerd.image.name (the full name), as Docker 25+ does."},
        footer = {"", "Examples:", "  kiln tag oci:out:1.0 latest example.com/hello:1.0", "  kiln tag --delete oci:out:old"})
final class TagCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--delete", description = "Remove the tag named by SOURCE instead.")
    boolean delete;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "oci:DIR:TAG naming the image.")
    String source;

    @Parameters(index = "1..*", paramLabel = "TAG", arity = "0..*", description = "New tags or full names.")
    List<String> tags = List.of();

    @Override
    public Integer call() throws IOException {
        ImageReference ref = References.parseLocal(source);
        if (ref.transport() != ImageReference.Transport.OCI) {
            throw new Failures.UsageException("tag works on layouts (oci:DIR:TAG), not " + ref.transport().prefix);
        }
        OciLayout layout = OciLayout.open(References.path(ref));
        if (delete) {
            if (ref.name() == null || !tags.isEmpty()) {
                throw new Failures.UsageException("--delete takes one oci:DIR:TAG and no other tags");
            }
            if (!layout.untag(LayoutTag.parse(ref.name()))) {
                throw new dev.kiln.layout.oci.LayoutException(ref.location() + ": no image tagged '" + ref.name() + "'");
            }
            if (common.json) {
                ObjectNode o = Json.object();
                o.put("layout", ref.location());
                o.put("untagged", ref.name());
                spec.commandLine().getOut().println(Json.pretty(o));
            } else {
                spec.commandLine().getOut().println("untagged " + ref.name());
            }
            return 0;
        }
        if (tags.isEmpty()) {
            throw new Failures.UsageException("name at least one new tag");
        }
        List<LayoutTag> parsed = tags.stream().map(LayoutTag::parse).toList();
        // gc waits while the tag is resolved and written: an image untagged meanwhile by another
        // process keeps its blobs until the new tag names them
        Descriptor target;
        try (Closeable held = layout.holdBlobs()) {
            target = layout.resolve(ref.name()).withAnnotations(null);
            for (LayoutTag t : parsed) {
                layout.tag(t, target);
                if (!common.json) {
                    spec.commandLine().getOut().println("tagged " + t.display() + " -> " + target.digest());
                }
            }
        }
        if (common.json) {
            ObjectNode o = Json.object();
            o.put("layout", ref.location());
            o.put("digest", target.digest().toString());
            o.put("mediaType", target.mediaType());
            ArrayNode tagged = o.putArray("tagged");
            parsed.forEach(t -> tagged.add(t.display()));
            spec.commandLine().getOut().println(Json.pretty(o));
        }
        return 0;
    }
}
