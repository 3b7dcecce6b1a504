package dev.kiln.builder.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a layer tar whose bytes depend only on the entries and the timestamp.
 *
 * <ul>
 *   <li>entries in {@link LayerEntries#ORDER}, missing parent directories added (0755, 0:0);</li>
 *   <li>every entry's mtime is the given timestamp; no atime/ctime; uid/gid numeric, uname/gname
 *       empty; modes as given (permission bits only); directory names end with '/';</li>
 *   <li>POSIX ustar headers ("ustar\0" "00"); a PAX extended header only where ustar cannot hold a
 *       value: a name or link name of 100 bytes or more, a non-ASCII name or link name, a size
 *       of 8 GiB or more, an id above 2097151, or the entry's own extra PAX records. Names are
 *       not split into the ustar prefix field (commons-compress does not do that), so a 100..255
 *       byte name that Go's archive/tar would split gets a PAX "path" record here;</li>
 *   <li>the archive ends with two zero records (1024 bytes) and no padding to a 10240-byte block,
 *       as Go's archive/tar (used by Docker, BuildKit, containerd) writes it;</li>
 *   <li>names encoded as UTF-8 explicitly, never with the platform charset.</li>
 * </ul>
 * Entries are built from a name, never from a File/Path (commons-compress would then add
 * atime/ctime PAX records), and every header field is set here.
 */
public final class ReproducibleTarWriter {
    /** The largest mtime a ustar header holds (11 octal digits, year 2242); beyond, PAX would be needed. */
    public static final long MAX_TIMESTAMP = 077777777777L;
    private static final int RECORD_SIZE = 512;
    private static final int COPY_BUFFER_SIZE = 256 * 1024;
    private static final byte[] ZEROS = new byte[2 * RECORD_SIZE];

    private final long timestamp;

    /** @param timestamp mtime of every entry in seconds since the epoch (e.g. SOURCE_DATE_EPOCH, or 0) */
    public ReproducibleTarWriter(long timestamp) {
        if (timestamp < 0 || timestamp > MAX_TIMESTAMP) {
            throw new IllegalArgumentException("layer timestamp " + timestamp + " is outside 0.." + MAX_TIMESTAMP
                    + " seconds since 1970 (what a ustar header holds)");
        }
        this.timestamp = timestamp;
    }

    public long timestamp() {
        return timestamp;
    }

    /**
     * Writes the {@linkplain LayerEntries#canonical canonical} form of {@code entries} and the
     * end-of-archive marker to {@code out}, which is flushed but not closed.
     *
     * @return the number of tar bytes written
     */
    public long write(Collection<LayerEntry> entries, OutputStream out) throws IOException {
        List<LayerEntry> sorted = LayerEntries.canonical(entries);
        byte[] buffer = new byte[COPY_BUFFER_SIZE];
        long written = 0;
        for (LayerEntry entry : sorted) {
            byte[] header = headerRecords(header(entry));
            out.write(header);
            written += header.length;
            if (entry.type() == LayerEntry.Type.FILE) {
                copyContent(entry, out, buffer);
                int padding = (int) ((RECORD_SIZE - entry.size() % RECORD_SIZE) % RECORD_SIZE);
                out.write(ZEROS, 0, padding);
                written += entry.size() + padding;
            }
        }
        out.write(ZEROS, 0, 2 * RECORD_SIZE); // the end: two zero records, no padding to a 10240-byte block
        out.flush();
        return written + 2 * RECORD_SIZE;
    }

    /**
     * The records commons-compress writes for {@code entry}'s header (a PAX header entry first when
     * one is needed). Content, padding and the end marker are written by {@link #write} itself, so
     * file bytes go from the read buffer to {@code out} in one call instead of 512 bytes at a time.
     */
    static byte[] headerRecords(TarArchiveEntry entry) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 * RECORD_SIZE);
        // blockSize 512: each record is passed on as soon as it is complete
        TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, RECORD_SIZE, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        tar.putArchiveEntry(entry);
        tar.flush();
        return bytes.toByteArray(); // dropped unfinished: only the header was wanted
    }

    TarArchiveEntry header(LayerEntry entry) {
        byte flag = switch (entry.type()) {
            case FILE -> TarConstants.LF_NORMAL;
            case DIRECTORY -> TarConstants.LF_DIR;
            case SYMLINK -> TarConstants.LF_SYMLINK;
            case HARDLINK -> TarConstants.LF_LINK;
        };
        String name = entry.isDirectory() ? entry.path() + "/" : entry.path();
        TarArchiveEntry t = new TarArchiveEntry(name, flag);
        t.setMode(entry.mode());
        t.setUserId(entry.uid());
        t.setGroupId(entry.gid());
        t.setUserName("");
        t.setGroupName("");
        t.setLastModifiedTime(FileTime.from(timestamp, TimeUnit.SECONDS));
        t.setSize(entry.type() == LayerEntry.Type.FILE ? entry.size() : 0);
        t.setLinkName(entry.linkTarget() == null ? "" : entry.linkTarget());
        t.setDevMajor(0);
        t.setDevMinor(0);
        entry.paxHeaders().forEach(t::addPaxHeader);
        return t;
    }

    private static void copyContent(LayerEntry entry, OutputStream tar, byte[] buffer) throws IOException {
        long remaining = entry.size();
        try (InputStream in = open(entry)) {
            while (remaining > 0) {
                int n = read(entry, in, buffer, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    throw new LayerException("layer entry '" + entry.path() + "': content ended after "
                            + (entry.size() - remaining) + " of " + entry.size()
                            + " bytes (did the file change while the layer was written?)");
                }
                tar.write(buffer, 0, n);
                remaining -= n;
            }
            if (read(entry, in, buffer, 1) >= 0) {
                throw new LayerException("layer entry '" + entry.path() + "': content is longer than its size "
                        + entry.size() + " (did the file change while the layer was written?)");
            }
        }
    }

    private static InputStream open(LayerEntry entry) {
        try {
            return entry.content().open();
        } catch (IOException e) {
            throw new LayerException("layer entry '" + entry.path() + "': cannot open its content: " + describe(e), e);
        }
    }

    private static int read(LayerEntry entry, InputStream in, byte[] buffer, int length) {
        try {
            return in.read(buffer, 0, length);
        } catch (IOException e) {
            throw new LayerException("layer entry '" + entry.path() + "': reading its content failed: " + describe(e), e);
        }
    }

    /** An I/O failure in words, without the exception's class name. */
    static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": no such file (was it deleted while the layer was written?)";
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            return (f.getFile() == null ? "" : f.getFile() + ": ") + (f.getReason() == null ? "cannot read" : f.getReason());
        }
        return e.getMessage() == null ? "read failed" : e.getMessage().replaceAll("\\s+", " ");
    }
}
