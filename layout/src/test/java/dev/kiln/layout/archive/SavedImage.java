package dev.kiln.layout.archive;

import dev.kiln.layout.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One platform's image as the savers hold it, for writing archives by hand from the formats: two
 * layers (plain tars and their gzip), a Docker-style config whose bytes are kept as written, and
 * the JSON documents the savers write around them (manifests, index entries), written as strings in
 * the savers' own field order.
 */
public final class SavedImage {
    public final String os;
    public final String arch;
    public final byte[] config;
    public final List<byte[]> tars = new ArrayList<>();
    public final List<byte[]> gzips = new ArrayList<>();

    /** A layer as a descriptor names it. */
    public record Blob(String mediaType, byte[] bytes) {
        public Digest digest() {
            return Digest.sha256(bytes);
        }

        public String hex() {
            return digest().hex();
        }

        public String descriptor() {
            return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest() + "\",\"size\":" + bytes.length + "}";
        }
    }

    public SavedImage(String os, String arch) {
        this.os = os;
        this.arch = arch;
        tars.add(TestImages.tar(Map.of("etc/os-release", "NAME=kiln-shapes\n")));
        tars.add(TestImages.tar(Map.of("hello.txt", "hello from " + arch + "\n")));
        for (byte[] t : tars) {
            gzips.add(TestImages.gzip(t));
        }
        StringBuilder diffIds = new StringBuilder();
        for (byte[] t : tars) {
            diffIds.append(diffIds.length() == 0 ? "" : ",").append('"').append(Digest.sha256(t)).append('"');
        }
        // the field order of Docker's image JSON: architecture, config, created, history, os, rootfs
        config = ("{\"architecture\":\"" + arch + "\",\"config\":{\"Env\":[\"PATH=/usr/bin:/bin\",\"GREETING=hello " + arch
                + "\"],\"Cmd\":[\"/bin/cat\",\"/hello.txt\"]},\"created\":\"2024-01-02T03:04:05Z\",\"history\":["
                + "{\"created\":\"2024-01-02T03:04:05Z\",\"created_by\":\"ADD os-release /etc/\"},"
                + "{\"created\":\"2024-01-02T03:04:05Z\",\"created_by\":\"COPY hello.txt /\"}],\"os\":\"" + os
                + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}").getBytes(StandardCharsets.UTF_8);
    }

    public Digest configDigest() {
        return Digest.sha256(config);
    }

    public String configHex() {
        return configDigest().hex();
    }

    public Digest diffId(int i) {
        return Digest.sha256(tars.get(i));
    }

    public String platformJson() {
        return "{\"architecture\":\"" + arch + "\",\"os\":\"" + os + "\"}";
    }

    public String platform() {
        return os + "/" + arch;
    }

    /** The layers as gzip blobs of the given media type. */
    public List<Blob> gzipLayers(String mediaType) {
        return gzips.stream().map(g -> new Blob(mediaType, g)).toList();
    }

    /** The layers as plain tars of the given media type. */
    public List<Blob> tarLayers(String mediaType) {
        return tars.stream().map(t -> new Blob(mediaType, t)).toList();
    }

    /** A manifest for these layers; {@code configPlatform} puts the platform in the config descriptor, as Docker 25 does. */
    public byte[] manifest(String mediaType, String configType, List<Blob> layers, boolean configPlatform) {
        StringBuilder l = new StringBuilder();
        for (Blob b : layers) {
            l.append(l.length() == 0 ? "" : ",").append(b.descriptor());
        }
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + mediaType + "\",\"config\":{\"mediaType\":\"" + configType
                + "\",\"digest\":\"" + configDigest() + "\",\"size\":" + config.length
                + (configPlatform ? ",\"platform\":" + platformJson() : "") + "},\"layers\":[" + l + "]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A descriptor of a document, with optional platform and annotations (JSON object text, or null). */
    public static String descriptor(String mediaType, byte[] bytes, String platformJson, String annotationsJson) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + Digest.sha256(bytes) + "\",\"size\":" + bytes.length
                + (platformJson == null ? "" : ",\"platform\":" + platformJson)
                + (annotationsJson == null ? "" : ",\"annotations\":" + annotationsJson) + "}";
    }

    /** The name annotations Docker 25+ and containerd write on an index.json entry. */
    public static String nameAnnotations(String fullName, String tag) {
        return "{\"io.containerd.image.name\":\"" + fullName + "\",\"org.opencontainers.image.ref.name\":\"" + tag + "\"}";
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
