package dev.kiln.layout.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A reproducible tar stream: every entry made from a name (never from a file on disk), with a fixed
 * modification time, uid/gid 0, empty owner names, mode 0644 for files and 0755 for folders. USTAR
 * headers; PAX only when a name or size needs it. The archive ends as Go's archive/tar ends one: two
 * zero blocks, no padding to a 10240-byte record.
 *
 * <p>Headers (with any PAX records) are made by commons-compress; content, the padding to 512 bytes
 * and the end marker are written here, so a file's content can also go straight from its file to
 * the archive's channel (the kernel copies it: {@link #file(String, long, Path)}).
 */
final class TarWriter {
    private static final int RECORD = 512;
    private static final int FILE_MODE = 0100644;
    private static final int DIR_MODE = 040755;

    private final OutputStream out;
    private final FileChannel channel;
    private final FileTime mtime;

    /**
     * Does not close {@code out}; call {@link #finish()} then close it yourself.
     *
     * @param channel the file {@code out} writes to (bytes go to it only after {@code out} is
     *                flushed), or null: files are then copied through {@code out}
     */
    TarWriter(OutputStream out, FileChannel channel, long mtimeSeconds) {
        this.out = out;
        this.channel = channel;
        this.mtime = FileTime.fromMillis(Math.max(0, mtimeSeconds) * 1000L);
    }

    TarWriter(OutputStream out, long mtimeSeconds) {
        this(out, null, mtimeSeconds);
    }

    void directory(String name) throws IOException {
        out.write(header(entry(name.endsWith("/") ? name : name + "/", DIR_MODE)));
    }

    void file(String name, byte[] bytes) throws IOException {
        TarArchiveEntry e = entry(name, FILE_MODE);
        e.setSize(bytes.length);
        out.write(header(e));
        out.write(bytes);
        pad(bytes.length);
    }

    /** Streams exactly {@code size} bytes from {@code in} (read to its end, so a verifying stream checks). */
    void file(String name, long size, InputStream in) throws IOException {
        TarArchiveEntry e = entry(name, FILE_MODE);
        e.setSize(size);
        out.write(header(e));
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) != -1; ) {
            total += n;
            if (total > size) {
                throw new ArchiveException("tar entry " + name + ": content is longer than its " + size + " bytes");
            }
            out.write(buffer, 0, n);
        }
        if (total != size) {
            throw new ArchiveException("tar entry " + name + ": content is " + total + " bytes, expected " + size);
        }
        pad(size);
    }

    /**
     * The content of {@code file}, which must be {@code size} bytes long, unhashed: for files whose
     * digest the caller knows to be right. Copied by the kernel when there is a channel.
     */
    void file(String name, long size, Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            if (in.size() != size) {
                throw new ArchiveException("tar entry " + name + ": " + file + " is " + in.size() + " bytes, expected " + size);
            }
            if (channel == null) {
                file(name, size, java.nio.channels.Channels.newInputStream(in));
                return;
            }
            TarArchiveEntry e = entry(name, FILE_MODE);
            e.setSize(size);
            out.write(header(e));
            out.flush();
            long done = 0;
            while (done < size) {
                long n = in.transferTo(done, size - done, channel);
                if (n <= 0) {
                    throw new ArchiveException("tar entry " + name + ": " + file + " ended after " + done + " of " + size + " bytes");
                }
                done += n;
            }
            pad(size);
        }
    }

    /** The end-of-archive marker: two zero records; flushes {@code out}. */
    void finish() throws IOException {
        out.write(new byte[2 * RECORD]);
        out.flush();
    }

    private void pad(long size) throws IOException {
        int rest = (int) (size % RECORD);
        if (rest != 0) {
            out.write(new byte[RECORD - rest]);
        }
    }

    /** The header records of {@code e} (a PAX record first when needed), as commons-compress writes them. */
    private static byte[] header(TarArchiveEntry e) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 * RECORD);
        // blockSize 512: records are written through at once, nothing is held back
        TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, RECORD, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        tar.putArchiveEntry(e);
        tar.flush();
        return bytes.toByteArray(); // the stream is dropped unfinished: only its header is wanted
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
