/**
 * Reproducible layer blobs: the same entries, timestamp, compression and level give the same
 * bytes on every run, machine, file system, thread count and supported JDK.
 *
 * <ul>
 *   <li>{@link dev.kiln.builder.layer.LayerEntry}: one validated tar entry;
 *       {@link dev.kiln.builder.layer.DirectoryCollector} makes them from a directory tree on any
 *       {@link java.nio.file.FileSystem}.</li>
 *   <li>{@link dev.kiln.builder.layer.LayerEntries}: the canonical order (UTF-8 byte order,
 *       parents added, duplicates refused).</li>
 *   <li>{@link dev.kiln.builder.layer.ReproducibleTarWriter}: the tar (fixed mtime, numeric
 *       owners, no names, PAX only where ustar cannot hold a value, no block padding).</li>
 *   <li>{@link dev.kiln.builder.layer.ParallelGzipOutputStream}: pigz-style gzip whose bytes do
 *       not depend on the thread count; zstd runs in zstd's multi-threaded mode for the same
 *       reason.</li>
 *   <li>{@link dev.kiln.builder.layer.LayerBuilder}: tar, diff_id, compression and blob digest
 *       in one streaming pass -> {@link dev.kiln.builder.layer.BuiltLayer}.</li>
 * </ul>
 * Compressed bytes still depend on the compressor builds: the JDK's zlib (checked identical for
 * OpenJDK 17 with the system zlib 1.2.13 and Temurin 25 with its bundled zlib 1.3.2) and the
 * zstd inside zstd-jni (pinned by the build). Caches should key on diff_id and reuse stored blobs.
 */
package dev.kiln.builder.layer;
