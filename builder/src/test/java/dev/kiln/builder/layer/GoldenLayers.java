package dev.kiln.builder.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Fixed inputs for golden digests, shared by the tests and by {@link CrossJdkMain}. */
final class GoldenLayers {
    static final long TIMESTAMP = 1_700_000_000L;
    static final String LONG_DIR = "deep/" + "d".repeat(120);
    static final String LONG_TARGET = "../" + "t".repeat(110);

    private GoldenLayers() {
    }

    /** A small layer touching every entry type and header rule. Listed out of order on purpose. */
    static List<LayerEntry> entries() {
        List<LayerEntry> entries = new ArrayList<>();
        entries.add(LayerEntry.file("usr/bin/tool", 04755, utf8("#!/bin/sh\necho hi\n")));
        entries.add(LayerEntry.symlink("usr/bin/alias", "tool"));
        entries.add(LayerEntry.hardlink("usr/bin/tool2", "usr/bin/tool").withMode(04755));
        entries.add(LayerEntry.directory("etc", 0755));
        entries.add(LayerEntry.file("etc/hostname", 0644, utf8("kiln\n")));
        entries.add(LayerEntry.directory("var/empty", 01777));
        entries.add(LayerEntry.file("home/user/.profile", 0600, utf8("export PS1='$ '\n")).withOwner(1000, 1000));
        entries.add(LayerEntry.file(LONG_DIR + "/file.txt", 0644, utf8("long\n")));
        entries.add(LayerEntry.symlink("deep/link", LONG_TARGET));
        entries.add(LayerEntry.file("donn\u00e9es/caf\u00e9.txt", 0644, utf8("cr\u00e8me\n")));
        entries.add(LayerEntry.file("empty-file", 0444, new byte[0]));
        entries.add(LayerEntry.file("data/words.txt", 0644, words(300_000, 7)));
        return entries;
    }

    /** A bigger layer (about 6 MB: text, random and zero runs) to push deflate through its paths. */
    static List<LayerEntry> bigEntries() {
        List<LayerEntry> entries = new ArrayList<>(entries());
        entries.add(LayerEntry.file("big/words.txt", 0644, words(3_000_000, 11)));
        byte[] random = new byte[1_500_000];
        new Random(5).nextBytes(random);
        entries.add(LayerEntry.file("big/random.bin", 0644, random));
        entries.add(LayerEntry.file("big/zeros.bin", 0644, new byte[1_500_000]));
        // several PAX records in one header: their order must not depend on the JDK
        entries.add(LayerEntry.symlink("big/" + "s".repeat(120) + "-ü", "/" + "x".repeat(120) + "/ü")
                .withPaxHeader("SCHILY.xattr.user.kiln", "1").withPaxHeader("MSWINDOWS.rawsd", "AQAEgA=="));
        return entries;
    }

    /** Name -> digests of every golden layer variant; the cross-JDK test compares these maps. */
    static Map<String, String> digests() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String set : List.of("small", "big")) {
            List<LayerEntry> entries = set.equals("small") ? entries() : bigEntries();
            out.put(set + "/none", describe(LayerBuilder.of(Compression.NONE), entries));
            for (int level : new int[] {1, 6, 9}) {
                for (int threads : new int[] {1, 2}) {
                    out.put(set + "/gzip-" + level + "/t" + threads,
                            describe(LayerBuilder.of(Compression.GZIP).withLevel(level).withThreads(threads), entries));
                }
            }
            for (int level : set.equals("small") ? new int[] {3, 19} : new int[] {3, 9}) {
                out.put(set + "/zstd-" + level,
                        describe(LayerBuilder.of(Compression.ZSTD).withLevel(level).withThreads(2), entries));
            }
        }
        return out;
    }

    private static String describe(LayerBuilder builder, List<LayerEntry> entries) throws IOException {
        BuiltLayer layer = builder.withTimestamp(TIMESTAMP).build(entries, OutputStreamSink.INSTANCE);
        return layer.digest() + " " + layer.size() + " " + layer.diffId();
    }

    /** Deterministic, compressible text: words drawn from a small vocabulary by a seeded Random. */
    static byte[] words(int size, long seed) {
        String[] vocabulary = {"layer", "image", "kiln", "tar", "gzip", "digest", "manifest", "index", "blob",
            "config", "zstd", "entry", "reproducible", "the", "a", "of", "\n", "0", "1", "2024"};
        Random random = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 16);
        while (out.size() < size) {
            out.writeBytes(vocabulary[random.nextInt(vocabulary.length)].getBytes(StandardCharsets.US_ASCII));
            out.write(random.nextInt(8) == 0 ? '\n' : ' ');
        }
        byte[] bytes = out.toByteArray();
        return java.util.Arrays.copyOf(bytes, size);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    /** Discards everything; the digests are computed by the builder. */
    static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
