package dev.kiln.layout.archive;

import dev.kiln.layout.store.DirectoryBlobStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/** Files of archives: written beside their target then moved into place; temp folders removed. */
final class ArchiveFiles {
    private ArchiveFiles() {
    }

    /** Something that writes an archive to a stream. */
    @FunctionalInterface
    interface Content {
        /**
         * @param out     the buffered stream to write to
         * @param channel the file under {@code out}, for writes that bypass it once {@code out} is flushed
         */
        void writeTo(OutputStream out, FileChannel channel) throws IOException;
    }

    /**
     * Writes {@code target} through a temp file in the same folder, synced and then renamed over the
     * target, so readers see the old file or the whole new one, never a part.
     */
    static void writeAtomically(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new ArchiveException(target + ": is a directory; want an archive file name");
        }
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + "-", ".partial");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 256 * 1024);
                content.writeTo(out, ch);
                out.flush();
                ch.force(true);
            }
            DirectoryBlobStore.moveAtomically(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A new empty folder under {@code parent} (created when missing). */
    static Path tempFolder(Path parent, String prefix) throws IOException {
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, prefix);
    }

    /** Deletes a folder tree without following links; quiet when it is gone already. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a temp folder after a failure, keeping the first error. */
    static void deleteQuietly(Path dir, Throwable primary) {
        try {
            deleteTree(dir);
        } catch (IOException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}
