package dev.kiln.cli;

import static dev.kiln.cli.KilnTestSupport.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layout.oci.OciLayout;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln tag}: tags, untags, and waits for a running gc before it resolves the image it tags. */
class TagCommandTest {
    @TempDir
    Path tmp;

    @Test
    void tagsAndUntags() throws Exception {
        Path layout = tmp.resolve("l");
        KilnTestSupport.buildExample(KilnTestSupport.example(), layout);
        String root = KilnTestSupport.rootDigest(layout);
        KilnTestSupport.Run r = kiln("tag", "oci:" + layout + ":example.com/hello:1.0", "second", "third").ok();
        assertTrue(r.out().contains("tagged second -> " + root), r.out());
        assertTrue(kiln("ls", "oci:" + layout).ok().out().contains("third"));
        kiln("tag", "--delete", "oci:" + layout + ":second").ok();
        KilnTestSupport.Run again = kiln("tag", "--delete", "oci:" + layout + ":second");
        assertEquals(1, again.code(), again.err());
        assertTrue(again.err().contains("no image tagged 'second'"), again.err());
        kiln("verify", "--deep", "oci:" + layout).ok();
    }

    @Test
    void waitsWhileGcHoldsTheLayout() throws Exception {
        Path layout = tmp.resolve("l");
        KilnTestSupport.buildExample(KilnTestSupport.example(), layout);
        OciLayout opened = OciLayout.open(layout);
        CountDownLatch gcRunning = new CountDownLatch(1);
        CountDownLatch releaseGc = new CountDownLatch(1);
        CompletableFuture<Void> gc = CompletableFuture.runAsync(() -> {
            try {
                opened.exclusively(() -> {
                    gcRunning.countDown();
                    try {
                        return releaseGc.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException("interrupted");
                    }
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(gcRunning.await(30, TimeUnit.SECONDS));
        CompletableFuture<KilnTestSupport.Run> tag = CompletableFuture.supplyAsync(
                () -> kiln("tag", "oci:" + layout + ":example.com/hello:1.0", "held"));
        Thread.sleep(500);
        assertFalse(tag.isDone(), "kiln tag went ahead while gc held the layout");
        releaseGc.countDown();
        gc.get(30, TimeUnit.SECONDS);
        tag.get(30, TimeUnit.SECONDS).ok();
        assertTrue(kiln("ls", "oci:" + layout).ok().out().contains("held"));
    }
}
