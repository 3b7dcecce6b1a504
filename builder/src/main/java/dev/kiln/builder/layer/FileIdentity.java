package dev.kiln.builder.layer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A file's identity without reading it, as git's index and make use it: real path, size,
 * modification time, and where the file system has them the inode and change time (which no user
 * tool can set back, so a rewrite in place is always seen). Times are whole nanoseconds.
 */
final class FileIdentity {
    /** What one {@code lstat} gives the "unix" view: all a walk and an identity need. */
    static final String UNIX_ATTRIBUTES = "unix:mode,ino,dev,nlink,size,lastModifiedTime,ctime";

    private FileIdentity() {
    }

    static String of(Path file) throws IOException {
        Path real = file.toRealPath();
        if (real.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            return of(real, Files.readAttributes(real, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS));
        }
        // no unix view (jimfs, Windows): path, size and mtime only
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return real + "|" + a.size() + "|" + nanos(a.lastModifiedTime());
    }

    /** The identity of the file at {@code real} (its real path) from its {@link #UNIX_ATTRIBUTES}. */
    static String of(Path real, Map<String, Object> unix) {
        return real + "|" + unix.get("size") + "|" + nanos((FileTime) unix.get("lastModifiedTime")) + "|"
                + unix.get("dev") + ":" + unix.get("ino") + "|" + nanos((FileTime) unix.get("ctime"));
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }
}
