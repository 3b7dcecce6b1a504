package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.copyTree;
import static dev.kiln.cli.KilnTestSupport.example;
import static dev.kiln.cli.KilnTestSupport.kiln;
import static dev.kiln.cli.KilnTestSupport.rootDigest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layer cache: hits give the same digests, changes are seen, damaged cache blobs are never used. */
class LayerCacheCliTest {
    @TempDir
    Path tmp;

    private String build(Path ctx, Path cache, Path out) throws IOException {
        kiln("build", ctx.toString(), "--cache-dir", cache.toString(), "--platform", "linux/amd64,linux/arm64",
                "-t", "t", "-o", "oci:" + out).ok();
        return rootDigest(out);
    }

    private static List<Path> cachedBlobs(Path cache) throws IOException {
        try (Stream<Path> s = Files.walk(cache.resolve("blobs"))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void aRebuildFromTheCacheGivesTheSameDigestsAsABuildWithout() throws IOException {
        Path ctx = tmp.resolve("ctx");
        copyTree(example(), ctx);
        Path cache = tmp.resolve("cache");
        String cold = build(ctx, cache, tmp.resolve("a"));
        assertTrue(cachedBlobs(cache).size() >= 4, "layers are cached");
        String warm = build(ctx, cache, tmp.resolve("b"));
        assertEquals(cold, warm);
        kiln("build", "--no-cache", ctx.toString(), "--platform", "linux/amd64,linux/arm64", "-t", "t",
                "-o", "oci:" + tmp.resolve("c")).ok();
        assertEquals(cold, rootDigest(tmp.resolve("c")));
        kiln("verify", "--deep", tmp.resolve("b").toString()).ok();
    }

    @Test
    void aChangedFileIsSeenEvenWithTheSameSizeAndTime() throws IOException {
        Path ctx = tmp.resolve("ctx");
        copyTree(example(), ctx);
        Path cache = tmp.resolve("cache");
        String before = build(ctx, cache, tmp.resolve("a"));
        Path conf = ctx.resolve("app/hello.conf");
        FileTime mtime = Files.getLastModifiedTime(conf);
        String text = Files.readString(conf);
        Files.writeString(conf, text.replace("8080", "9090")); // same size
        Files.setLastModifiedTime(conf, mtime);                 // and the same mtime
        String after = build(ctx, cache, tmp.resolve("b"));
        assertNotEquals(before, after, "the change time and inode give the edit away");
        kiln("build", "--no-cache", ctx.toString(), "--platform", "linux/amd64,linux/arm64", "-t", "t",
                "-o", "oci:" + tmp.resolve("c")).ok();
        assertEquals(rootDigest(tmp.resolve("c")), after);
    }

    @Test
    void aDamagedCachedBlobIsDroppedAndTheLayerBuiltAgain() throws IOException {
        Path ctx = tmp.resolve("ctx");
        copyTree(example(), ctx);
        Path cache = tmp.resolve("cache");
        String cold = build(ctx, cache, tmp.resolve("a"));
        for (Path blob : cachedBlobs(cache)) {
            Files.delete(blob); // break the hard link to the layout's blob first
            Files.write(blob, new byte[] {1, 2, 3});
        }
        String again = build(ctx, cache, tmp.resolve("fresh"));
        assertEquals(cold, again);
        kiln("verify", "--deep", tmp.resolve("fresh").toString()).ok();
        kiln("verify", "--deep", tmp.resolve("a").toString()).ok();
    }

    private static List<Path> bigBlobs(Path layout) throws IOException {
        try (Stream<Path> s = Files.walk(layout.resolve("blobs"))) {
            return s.filter(Files::isRegularFile).filter(p -> p.toFile().length() > 100).toList();
        }
    }

    @Test
    void aCachedBlobDamagedWithoutChangingItsSizeIsFoundByItsDigest() throws IOException {
        Path ctx = tmp.resolve("ctx");
        copyTree(example(), ctx);
        Path cache = tmp.resolve("cache");
        String cold = build(ctx, cache, tmp.resolve("a"));
        for (Path blob : cachedBlobs(cache)) {
            byte[] bytes = Files.readAllBytes(blob);
            bytes[bytes.length / 2] ^= 1;
            Files.delete(blob); // break the hard link to the layout's blob first
            Files.write(blob, bytes);
        }
        assertEquals(cold, build(ctx, cache, tmp.resolve("fresh")), "a blob copied in from the cache is always hashed");
        kiln("verify", "--deep", tmp.resolve("fresh").toString()).ok();
    }

    @Test
    void aLayoutBlobOfTheWrongSizeIsReplacedOnARebuild() throws IOException {
        Path ctx = tmp.resolve("ctx");
        copyTree(example(), ctx);
        Path cache = tmp.resolve("cache");
        Path out = tmp.resolve("a");
        String cold = build(ctx, cache, out);
        List<Path> layers = bigBlobs(out);
        assertTrue(!layers.isEmpty());
        for (Path blob : layers) {
            byte[] bytes = Files.readAllBytes(blob);
            Files.delete(blob); // break the hard link to the cache's blob first
            Files.write(blob, java.util.Arrays.copyOf(bytes, bytes.length - 1)); // truncated
        }
        assertEquals(cold, build(ctx, cache, out));
        kiln("verify", "--deep", out.toString()).ok();
    }

    @Test
    void aRecordOfAnotherKeyIsAMissAndIsReplaced() throws IOException {
        Path ctx = tmp.resolve("ctx");
        copyTree(example(), ctx);
        Path cache = tmp.resolve("cache");
        String cold = build(ctx, cache, tmp.resolve("a"));
        List<Path> records;
        try (Stream<Path> s = Files.walk(cache.resolve("layers"))) {
            records = s.filter(Files::isRegularFile).toList();
        }
        assertTrue(!records.isEmpty());
        java.util.Map<Path, byte[]> kept = new java.util.HashMap<>();
        for (Path r : records) {
            byte[] bytes = Files.readAllBytes(r);
            kept.put(r, bytes.clone());
            bytes[bytes.length - 2] ^= 1; // the same name, the text of another key
            Files.write(r, bytes);
        }
        assertEquals(cold, build(ctx, cache, tmp.resolve("b")));
        for (Path r : records) {
            assertTrue(java.util.Arrays.equals(kept.get(r), Files.readAllBytes(r)), "rewritten by the rebuild: " + r);
        }
    }
}
