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
}
