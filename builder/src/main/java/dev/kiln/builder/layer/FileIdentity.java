package dev.kiln.builder.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/**
 * A file's identity without reading it, as git's index and make use it: real path, size,
 * modification time, and where the file system has them the inode and change time (which no user
 * tool can set back, so a rewrite in place is always seen).
 */
final class FileIdentity {
    private FileIdentity() {
    }

    static String of(Path file) throws IOException {
        Path real = file.toRealPath();
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        StringBuilder b = new StringBuilder();
        b.append(real.toUri()).append('|').append(a.size()).append('|').append(a.lastModifiedTime().toInstant());
        try {
            Map<String, Object> unix = Files.readAttributes(real, "unix:ino,ctime,dev", LinkOption.NOFOLLOW_LINKS);
            b.append('|').append(unix.get("dev")).append(':').append(unix.get("ino")).append('|').append(unix.get("ctime"));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // no unix view (jimfs, Windows): path, size and mtime only
        }
        return b.toString();
    }
}
