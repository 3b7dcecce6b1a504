package dev.kiln.layout.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A reproducible tar stream: every entry made from a name (never from a file on disk), with a fixed
 * modification time, uid/gid 0, empty owner names, mode 0644 for files and 0755 for folders. USTAR
 * headers; PAX only when a name or size needs it. The archive ends as Go's archive/tar ends one: two
 * zero blocks, no padding to a 10240-byte record.
 */
final class TarWriter {
    private static final int FILE_MODE = 0100644;
    private static final int DIR_MODE = 040755;

    private final TarArchiveOutputStream tar;
    private final FileTime mtime;

    /** Does not close {@code out}; call {@link #finish()} then close it yourself. */
    TarWriter(OutputStream out, long mtimeSeconds) {
        // blockSize 512: records are single blocks, so finish() adds only the 1024-byte end marker
        this.tar = new TarArchiveOutputStream(out, 512, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        this.mtime = FileTime.fromMillis(Math.max(0, mtimeSeconds) * 1000L);
    }

    void directory(String name) throws IOException {
        TarArchiveEntry e = entry(name.endsWith("/") ? name : name + "/", DIR_MODE);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    void file(String name, byte[] bytes) throws IOException {
        TarArchiveEntry e = entry(name, FILE_MODE);
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    /** Streams exactly {@code size} bytes from {@code in} (read to its end, so a verifying stream checks). */
    void file(String name, long size, InputStream in) throws IOException {
        TarArchiveEntry e = entry(name, FILE_MODE);
        e.setSize(size);
        tar.putArchiveEntry(e);
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) != -1; ) {
            total += n;
            if (total > size) {
                throw new ArchiveException("tar entry " + name + ": content is longer than its " + size + " bytes");
            }
            tar.write(buffer, 0, n);
        }
        if (total != size) {
            throw new ArchiveException("tar entry " + name + ": content is " + total + " bytes, expected " + size);
        }
        tar.closeArchiveEntry();
    }

    void finish() throws IOException {
        tar.finish();
        tar.flush();
    }

    private TarArchiveEntry entry(String name, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setMode(mode);
        e.setLastModifiedTime(mtime);
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("");
        e.setGroupName("");
        return e;
    }
}
