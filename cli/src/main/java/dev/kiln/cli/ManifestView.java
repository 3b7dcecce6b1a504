package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.ContainerConfig;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.transport.ImageReader;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * What {@code kiln inspect} prints for one manifest: an image (platform, config summary, layers) or
 * an artifact (artifactType, config descriptor, layers), with the manifest's subject and annotations
 * either way; as text (image strings made printable) or as one JSON document.
 */
final class ManifestView {
    private ManifestView() {
    }

    static void image(PrintWriter out, ImageReader.Image img, boolean json) {
        ImageManifest m = img.manifest().value();
        ImageConfig c = img.config().value();
        ContainerConfig cc = c.config();
        if (json) {
            ObjectNode o = Json.object();
            o.put("digest", img.descriptor().digest().toString());
            o.put("mediaType", img.descriptor().mediaType());
            o.put("kind", "image");
            if (m.artifactType() != null) {
                o.put("artifactType", m.artifactType());
            }
            o.put("platform", c.platform().toLongString());
            o.put("created", c.created());
            o.set("config", cc.toJson());
            relations(o, m);
            out.println(Json.pretty(o));
            return;
        }
        out.println("Digest:      " + img.descriptor().digest());
        out.println("MediaType:   " + Printable.text(img.descriptor().mediaType()));
        line(out, "ArtifactType", m.artifactType());
        out.println("Platform:    " + Printable.text(c.platform().toLongString()));
        out.println("Created:     " + (c.created() == null ? "" : Printable.text(c.created())));
        line(out, "User", cc.user());
        line(out, "WorkingDir", cc.workingDir());
        list(out, "Env", cc.env());
        list(out, "Entrypoint", cc.entrypoint());
        list(out, "Cmd", cc.cmd());
        list(out, "ExposedPorts", cc.exposedPorts());
        list(out, "Volumes", cc.volumes());
        map(out, "Labels", cc.labels());
        line(out, "StopSignal", cc.stopSignal());
        subjectAndAnnotations(out, m);
        layers(out, m);
    }

    /** A manifest whose config is not an image config: a Helm chart, an OCI 1.1 artifact, ... */
    static void artifact(PrintWriter out, Descriptor descriptor, ImageManifest m, boolean json) {
        if (json) {
            ObjectNode o = Json.object();
            o.put("digest", descriptor.digest().toString());
            o.put("mediaType", descriptor.mediaType());
            o.put("kind", "artifact");
            o.put("artifactType", m.effectiveArtifactType());
            o.set("configDescriptor", m.config().toJson());
            relations(o, m);
            out.println(Json.pretty(o));
            return;
        }
        out.println("Digest:       " + descriptor.digest());
        out.println("MediaType:    " + Printable.text(descriptor.mediaType()));
        out.println("ArtifactType: " + Printable.text(m.effectiveArtifactType()));
        out.println("Config:       " + describe(m.config()));
        subjectAndAnnotations(out, m);
        layers(out, m);
    }

    /** Layers, subject and annotations, shared by images and artifacts in JSON. */
    private static void relations(ObjectNode o, ImageManifest m) {
        ArrayNode layers = o.putArray("layers");
        m.layers().forEach(l -> layers.add(l.toJson()));
        if (m.subject() != null) {
            o.set("subject", m.subject().toJson());
        }
        if (m.annotations() != null) {
            ObjectNode a = o.putObject("annotations");
            m.annotations().forEach(a::put);
        }
    }

    private static void subjectAndAnnotations(PrintWriter out, ImageManifest m) {
        if (m.subject() != null) {
            out.printf("%-13s %s%n", "Subject:", describe(m.subject()));
        }
        map(out, "Annotations", m.annotations());
    }

    private static void layers(PrintWriter out, ImageManifest m) {
        out.println("Layers:" + (m.layers().isEmpty() ? " (none)" : ""));
        for (Descriptor l : m.layers()) {
            String title = l.annotation("org.opencontainers.image.title");
            out.println("  " + describe(l) + (title == null ? "" : "  " + Printable.text(title)));
        }
    }

    /** {@code sha256:...  1.2 KiB  media/type}. */
    static String describe(Descriptor d) {
        return d.digest() + "  " + Progress.human(d.size()) + "  " + Printable.text(d.mediaType());
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

    private static void map(PrintWriter out, String name, Map<String, String> values) {
        if (values != null && !values.isEmpty()) {
            out.println(name + ":");
            values.forEach((k, v) -> out.println("  " + Printable.text(k) + "=" + Printable.text(v)));
        }
    }
}
