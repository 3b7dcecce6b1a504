package dev.kiln.builder.layer;

import static dev.kiln.builder.layer.GoldenLayers.TIMESTAMP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.spec.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerBuilderTest {
    /** The uncompressed golden tar; checked by reading it back in ReproducibleTarWriterTest and with GNU tar. */
    static final String GOLDEN_DIFF_ID = "sha256:8500fa46c9204d489071de7f8f1ce07c23e1f45ad8ea4dc1584d362252ccee6d";
    static final long GOLDEN_TAR_SIZE = 319_488;
    static final String GOLDEN_GZIP = "sha256:d3a0c3aa51de1d34fbea16374187288bdf25fc671d44eda6f4350b79575f3d05";
    static final long GOLDEN_GZIP_SIZE = 61_336;
    static final String GOLDEN_ZSTD = "sha256:c993f6a5ecebb06686cd808d60146bee6ee00ff81e945276b5c0ddb3653fcaef";
    static final long GOLDEN_ZSTD_SIZE = 67_590;

    record Built(BuiltLayer layer, byte[] blob) {
    }

    static Built build(LayerBuilder builder, List<LayerEntry> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BuiltLayer layer = builder.build(entries, out);
        return new Built(layer, out.toByteArray());
    }

    static byte[] decompress(Compression compression, byte[] blob) throws IOException {
        return switch (compression) {
            case NONE -> blob;
            case GZIP -> new GZIPInputStream(new ByteArrayInputStream(blob)).readAllBytes();
            case ZSTD -> new ZstdInputStream(new ByteArrayInputStream(blob)).readAllBytes();
        };
    }

    @Test
    void buildingIntoABlobStoreGivesTheSameLayerHashedOnce(@TempDir Path dir) throws IOException {
        for (Compression c : Compression.values()) {
            LayerBuilder builder = LayerBuilder.of(c).withTimestamp(TIMESTAMP);
            Built streamed = build(builder, GoldenLayers.entries());
            dev.kiln.layout.store.DirectoryBlobStore store = new dev.kiln.layout.store.DirectoryBlobStore(
                    dir.resolve(c.name()).resolve("blobs"), dir.resolve(c.name()).resolve("tmp"));
            BuiltLayer stored;
            try (dev.kiln.layout.store.BlobWriter w = store.writer()) {
                stored = builder.build(GoldenLayers.entries(), w); // the writer's own digest, committed
            }
            assertEquals(streamed.layer(), stored, c.name());
            assertArrayEquals(streamed.blob(), Files.readAllBytes(store.path(stored.digest())), c.name());
        }
    }

    @Test
    void goldenDigests() throws IOException {
        LayerBuilder base = LayerBuilder.of(Compression.GZIP).withTimestamp(TIMESTAMP);
        Built none = build(LayerBuilder.of(Compression.NONE).withTimestamp(TIMESTAMP), GoldenLayers.entries());
        assertEquals(GOLDEN_DIFF_ID, none.layer().diffId().toString());
        assertEquals(GOLDEN_DIFF_ID, none.layer().digest().toString());
        assertEquals(GOLDEN_TAR_SIZE, none.layer().size());
        assertEquals(GOLDEN_TAR_SIZE, none.layer().uncompressedSize());
        assertEquals(MediaTypes.OCI_LAYER, none.layer().mediaType());

        Built gzip = build(base, GoldenLayers.entries());
        assertEquals(GOLDEN_GZIP, gzip.layer().digest().toString());
        assertEquals(GOLDEN_GZIP_SIZE, gzip.layer().size());
        assertEquals(GOLDEN_DIFF_ID, gzip.layer().diffId().toString());
        assertEquals(MediaTypes.OCI_LAYER_GZIP, gzip.layer().mediaType());

        Built zstd = build(LayerBuilder.of(Compression.ZSTD).withTimestamp(TIMESTAMP), GoldenLayers.entries());
        assertEquals(GOLDEN_ZSTD, zstd.layer().digest().toString());
        assertEquals(GOLDEN_ZSTD_SIZE, zstd.layer().size());
        assertEquals(GOLDEN_DIFF_ID, zstd.layer().diffId().toString());
        assertEquals(MediaTypes.OCI_LAYER_ZSTD, zstd.layer().mediaType());
    }

    @Test
    void reportedDigestsAndSizesMatchTheBytes() throws IOException {
        for (Compression c : Compression.values()) {
            Built built = build(LayerBuilder.of(c).withTimestamp(TIMESTAMP), GoldenLayers.entries());
            assertEquals(Digest.sha256(built.blob()), built.layer().digest(), c.name());
            assertEquals(built.blob().length, built.layer().size(), c.name());
            byte[] tar = decompress(c, built.blob());
            assertEquals(Digest.sha256(tar), built.layer().diffId(), c.name());
            assertEquals(tar.length, built.layer().uncompressedSize(), c.name());
            assertArrayEquals(ReproducibleTarWriterTest.tar(GoldenLayers.entries(), TIMESTAMP), tar, c.name());
            assertEquals(c, built.layer().compression());
            assertEquals(built.layer().digest(), built.layer().descriptor().digest());
            assertEquals(built.layer().size(), built.layer().descriptor().size());
        }
    }

    @Test
    void sameBytesWhateverTheThreadsOrTheOrderOfTheEntries() throws IOException {
        List<LayerEntry> reversed = new ArrayList<>(GoldenLayers.entries());
        java.util.Collections.reverse(reversed);
        for (Compression c : List.of(Compression.GZIP, Compression.ZSTD)) {
            Built one = build(LayerBuilder.of(c).withThreads(1).withTimestamp(TIMESTAMP), GoldenLayers.entries());
            for (int threads : new int[] {2, 8}) {
                Built many = build(LayerBuilder.of(c).withThreads(threads).withTimestamp(TIMESTAMP), reversed);
                assertArrayEquals(one.blob(), many.blob(), c + " with " + threads + " threads");
                assertEquals(one.layer(), many.layer());
            }
        }
    }

    @Test
    void zstdFrameHasAChecksumAndNoContentSize() throws IOException {
        byte[] blob = build(LayerBuilder.of(Compression.ZSTD), GoldenLayers.entries()).blob();
        assertEquals(0xFD2FB528, (blob[0] & 0xff) | (blob[1] & 0xff) << 8 | (blob[2] & 0xff) << 16 | (blob[3] & 0xff) << 24);
        int descriptor = blob[4] & 0xff;
        assertEquals(0, descriptor >>> 6, "frame content size flag: no size");
        assertEquals(1, (descriptor >>> 2) & 1, "content checksum flag");
        assertEquals(0, descriptor & 3, "no dictionary id");
    }

    @Test
    void levelsAndTimestampChangeTheBlobButNotTheThreads() throws IOException {
        Built six = build(LayerBuilder.of(Compression.GZIP), GoldenLayers.entries());
        Built one = build(LayerBuilder.of(Compression.GZIP).withLevel(1), GoldenLayers.entries());
        Built later = build(LayerBuilder.of(Compression.GZIP).withTimestamp(1), GoldenLayers.entries());
        assertEquals(six.layer().diffId(), one.layer().diffId());
        assertNotEquals(six.layer().digest(), one.layer().digest());
        assertNotEquals(six.layer().diffId(), later.layer().diffId());
        assertEquals(six.layer(), build(LayerBuilder.of(Compression.GZIP).withLevel(-1), GoldenLayers.entries()).layer());
        assertThrows(IllegalArgumentException.class, () -> LayerBuilder.of(Compression.GZIP).withLevel(10));
        assertThrows(IllegalArgumentException.class, () -> LayerBuilder.of(Compression.ZSTD).withLevel(0));
        assertThrows(IllegalArgumentException.class, () -> LayerBuilder.of(Compression.ZSTD).withThreads(0));
        assertThrows(IllegalArgumentException.class, () -> LayerBuilder.of(Compression.NONE).withTimestamp(-1));
    }

    @Test
    void callersStreamIsFlushedNotClosed() throws IOException {
        for (Compression c : Compression.values()) {
            boolean[] closed = {false};
            int[] flushed = {0};
            OutputStream out = new OutputStream() {
                @Override
                public void write(int b) {
                }

                @Override
                public void write(byte[] b, int off, int len) {
                }

                @Override
                public void flush() {
                    flushed[0]++;
                }

                @Override
                public void close() {
                    closed[0] = true;
                }
            };
            LayerBuilder.of(c).build(GoldenLayers.entries(), out);
            assertFalse(closed[0], c.name());
            assertTrue(flushed[0] > 0, c.name());
        }
    }

    @Test
    void aFailingEntryFailsTheBuildAndStopsCompressing() {
        List<LayerEntry> entries = new ArrayList<>(GoldenLayers.entries());
        entries.add(LayerEntry.file("zz/broken", 0644, 10, () -> {
            throw new IOException("permission denied");
        }));
        for (Compression c : Compression.values()) {
            LayerException e = assertThrows(LayerException.class,
                    () -> LayerBuilder.of(c).withThreads(2).build(entries, OutputStream.nullOutputStream()));
            assertTrue(e.getMessage().contains("zz/broken") && e.getMessage().contains("permission denied"),
                    e.getMessage());
        }
        ParallelGzipOutputStreamTest.assertNoGzipThreadsLeft();
    }

    @Test
    void toolsReadTheBlobs(@TempDir Path dir) throws Exception {
        Path gz = dir.resolve("layer.tar.gz");
        Files.write(gz, build(LayerBuilder.of(Compression.GZIP), GoldenLayers.entries()).blob());
        run("gzip", "-t", gz.toString());
        String listing = run("tar", "-tzf", gz.toString());
        assertEquals(21, listing.lines().count(), listing);
        Path zst = dir.resolve("layer.tar.zst");
        Files.write(zst, build(LayerBuilder.of(Compression.ZSTD), GoldenLayers.entries()).blob());
        if (Files.isExecutable(Path.of("/usr/bin/zstd"))) {
            run("zstd", "-t", "-q", zst.toString());
        }
    }

    @Test
    void timestampComesFromTheOptionThenSourceDateEpochThenZero() {
        assertEquals(5, LayerBuilder.timestamp(5L, Map.of("SOURCE_DATE_EPOCH", "7")));
        assertEquals(7, LayerBuilder.timestamp(null, Map.of("SOURCE_DATE_EPOCH", " 7 ")));
        assertEquals(0, LayerBuilder.timestamp(null, Map.of()));
        assertEquals(0, LayerBuilder.timestamp(null, Map.of("SOURCE_DATE_EPOCH", "")));
        assertThrows(LayerException.class, () -> LayerBuilder.timestamp(null, Map.of("SOURCE_DATE_EPOCH", "yesterday")));
        assertThrows(LayerException.class, () -> LayerBuilder.timestamp(-1L, Map.of()));
    }

    @Test
    void compressionNamesItsMediaTypes() {
        assertEquals("+gzip", Compression.GZIP.mediaTypeSuffix());
        assertEquals("+zstd", Compression.ZSTD.mediaTypeSuffix());
        assertEquals("", Compression.NONE.mediaTypeSuffix());
        for (Compression c : Compression.values()) {
            assertEquals(MediaTypes.OCI_LAYER + c.mediaTypeSuffix(), c.ociMediaType());
            assertEquals(c, Compression.fromMediaType(c.ociMediaType()));
        }
        assertEquals(MediaTypes.DOCKER_LAYER_GZIP, Compression.GZIP.dockerMediaType().orElseThrow());
        assertEquals(MediaTypes.DOCKER_LAYER_TAR, Compression.NONE.dockerMediaType().orElseThrow());
        assertTrue(Compression.ZSTD.dockerMediaType().isEmpty());
        assertEquals(Compression.GZIP, Compression.fromMediaType(MediaTypes.DOCKER_LAYER_GZIP));
        assertEquals(Compression.GZIP, Compression.fromMediaType(MediaTypes.OCI_LAYER_NONDISTRIBUTABLE_GZIP));
        assertThrows(IllegalArgumentException.class, () -> Compression.fromMediaType(MediaTypes.OCI_CONFIG));
        assertEquals(6, Compression.GZIP.defaultLevel());
        assertEquals(3, Compression.ZSTD.defaultLevel());
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }
}
