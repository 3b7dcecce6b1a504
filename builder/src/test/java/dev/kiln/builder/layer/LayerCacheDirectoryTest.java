package dev.kiln.builder.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the layer cache lives by default: from the environment ($HOME), not Java's user.home. */
class LayerCacheDirectoryTest {
    @Test
    void theDefaultFolderFollowsTheEnvironment() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            assertEquals(fs.getPath("/ci/home/.cache/kiln"), LayerCache.defaultDirectory(fs, Map.of("HOME", "/ci/home")));
            assertEquals(fs.getPath("/xdg/kiln"), LayerCache.defaultDirectory(fs, Map.of("HOME", "/ci/home", "XDG_CACHE_HOME", "/xdg")));
            assertEquals(fs.getPath("/k"), LayerCache.defaultDirectory(fs, Map.of("HOME", "/h", "XDG_CACHE_HOME", "/x", "KILN_CACHE_DIR", "/k")));
            assertEquals(fs.getPath(System.getProperty("user.home"), ".cache", "kiln"), LayerCache.defaultDirectory(fs, Map.of()));
        }
    }
}
