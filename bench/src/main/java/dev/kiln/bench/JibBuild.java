package dev.kiln.bench;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The Jib peer of `kiln build` FROM scratch + COPY . /app: jib-core puts the whole context into
 * one layer under /app and writes an OCI image tar.
 *
 * <pre>  JibBuild CONTEXT OUT.tar CACHE_DIR</pre>
 *
 * CACHE_DIR should be fresh for a cold build (bench/run gives each run a new one).
 */
public final class JibBuild {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: JibBuild CONTEXT OUT.tar CACHE_DIR");
      System.exit(2);
    }
    Path context = Path.of(args[0]);
    Path out = Path.of(args[1]);
    Path cache = Path.of(args[2]);
    FileEntriesLayer layer = FileEntriesLayer.builder()
        .setName("app")
        .addEntryRecursive(context, AbsoluteUnixPath.get("/app"),
            (source, target) -> Files.isDirectory(source) || Files.isExecutable(source)
                ? FilePermissions.fromOctalString("755")
                : FilePermissions.fromOctalString("644"))
        .build();
    Jib.fromScratch()
        .setFormat(ImageFormat.OCI)
        .setCreationTime(Instant.EPOCH)
        .addFileEntriesLayer(layer)
        .containerize(Containerizer.to(TarImage.at(out).named("bench"))
            .setOfflineMode(true)
            .setAlwaysCacheBaseImage(false)
            .setBaseImageLayersCache(cache.resolve("base"))
            .setApplicationLayersCache(cache.resolve("app"))
            .setToolName("kiln-bench"));
  }
}
