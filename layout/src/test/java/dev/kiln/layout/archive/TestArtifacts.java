package dev.kiln.layout.archive;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Content other tools put in layouts and registries, written by hand from the formats (the bytes are
 * the documents themselves, never kiln's serializer): a Helm chart as {@code helm push} stores it, an
 * OCI 1.1 artifact (empty config, artifactType, subject) as ORAS and the referrers API use it, and a
 * Docker schema1 manifest.
 */
public final class TestArtifacts {
    public static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    public static final String HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
    public static final String SBOM_TYPE = "application/spdx+json";
    public static final String EMPTY_JSON_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    private TestArtifacts() {
    }

    private static Descriptor put(OciLayout layout, String mediaType, String text) throws IOException {
        return layout.blobs().putBytes(mediaType, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String descriptor(Descriptor d) {
        return "{\"mediaType\":\"" + d.mediaType() + "\",\"digest\":\"" + d.digest() + "\",\"size\":" + d.size() + "}";
    }

    /**
     * A Helm chart: config {@code application/vnd.cncf.helm.config.v1+json} (Chart.yaml as JSON), one
     * chart layer, no artifactType (Helm writes none), annotations; tagged {@code tag} when not null.
     */
    public static Descriptor helmChart(OciLayout layout, String tag) throws IOException {
        Descriptor config = put(layout, HELM_CONFIG,
                "{\"name\":\"mychart\",\"version\":\"0.1.0\",\"description\":\"A Helm chart\",\"apiVersion\":\"v2\",\"type\":\"application\"}");
        byte[] chart = TestImages.gzip(TestImages.tar(Map.of(
                "mychart/Chart.yaml", "apiVersion: v2\nname: mychart\nversion: 0.1.0\n",
                "mychart/values.yaml", "replicaCount: 1\n")));
        Descriptor layer = layout.blobs().putBytes(HELM_CHART, chart);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + descriptor(config)
                + ",\"layers\":[" + descriptor(layer) + "],\"annotations\":{\"org.opencontainers.image.created\":"
                + "\"2024-05-01T00:00:00Z\",\"org.opencontainers.image.description\":\"A Helm chart\","
                + "\"org.opencontainers.image.title\":\"mychart\",\"org.opencontainers.image.version\":\"0.1.0\"}}";
        Descriptor m = put(layout, MediaTypes.OCI_MANIFEST, manifest);
        if (tag != null) {
            layout.tag(LayoutTag.parse(tag), m);
        }
        return m;
    }

    /**
     * An OCI 1.1 artifact: the empty config ({@code {}}, with its data inline), {@code artifactType}
     * {@code application/spdx+json}, one SBOM layer with a title, a subject (the image it describes)
     * and an annotation; tagged {@code tag} when not null. The index.json entry carries the artifactType.
     */
    public static Descriptor sbomFor(OciLayout layout, Descriptor subject, String tag) throws IOException {
        Descriptor empty = put(layout, MediaTypes.OCI_EMPTY, "{}");
        if (!empty.digest().equals(Digest.parse(EMPTY_JSON_DIGEST))) {
            throw new AssertionError("the empty descriptor's digest is " + EMPTY_JSON_DIGEST);
        }
        Descriptor sbom = put(layout, SBOM_TYPE, "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"hello\"}");
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\""
                + SBOM_TYPE + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_EMPTY + "\",\"digest\":\"" + EMPTY_JSON_DIGEST
                + "\",\"size\":2,\"data\":\"e30=\"},\"layers\":[{\"mediaType\":\"" + SBOM_TYPE + "\",\"digest\":\""
                + sbom.digest() + "\",\"size\":" + sbom.size() + ",\"annotations\":{\"org.opencontainers.image.title\":"
                + "\"sbom.spdx.json\"}}],\"subject\":" + descriptor(subject.bare())
                + ",\"annotations\":{\"org.opencontainers.image.created\":\"2024-05-01T00:00:00Z\"}}";
        Descriptor m = put(layout, MediaTypes.OCI_MANIFEST, manifest);
        Descriptor entry = new Descriptor(m.mediaType(), m.digest(), m.size(), null, null, null, SBOM_TYPE, null, null);
        if (tag != null) {
            layout.tag(LayoutTag.parse(tag), entry);
        }
        return entry;
    }

    /**
     * A Docker schema1 manifest ({@code ...manifest.v1+prettyjws}) naming one layer by blobSum, stored
     * with its layer; tagged {@code tag} when not null. Returns the manifest descriptor.
     */
    public static Descriptor schema1(OciLayout layout, String tag) throws IOException {
        Descriptor layer = layout.blobs().putBytes(MediaTypes.DOCKER_LAYER_GZIP,
                TestImages.gzip(TestImages.tar(Map.of("hello.txt", "hello from schema1\n"))));
        String manifest = "{\n   \"schemaVersion\": 1,\n   \"name\": \"library/hello\",\n   \"tag\": \"latest\",\n"
                + "   \"architecture\": \"amd64\",\n   \"fsLayers\": [\n      {\n         \"blobSum\": \"" + layer.digest()
                + "\"\n      }\n   ],\n   \"history\": [\n      {\n         \"v1Compatibility\": \"{\\\"id\\\":\\\""
                + "a".repeat(64) + "\\\",\\\"architecture\\\":\\\"amd64\\\",\\\"os\\\":\\\"linux\\\"}\"\n      }\n   ]\n}";
        Descriptor m = put(layout, MediaTypes.DOCKER_SCHEMA1_SIGNED, manifest);
        if (tag != null) {
            layout.tag(LayoutTag.parse(tag), m);
        }
        return m;
    }

    /** The layer a {@link #schema1} manifest names. */
    public static Digest schema1Layer() {
        return Digest.sha256(TestImages.gzip(TestImages.tar(Map.of("hello.txt", "hello from schema1\n"))));
    }
}
