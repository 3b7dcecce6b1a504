package dev.kiln.layout.archive;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Reading tars in tests, and writing arbitrary (hostile) ones. */
final class Tars {
    private Tars() {
    }

    /** An entry as read, with its content. */
    record Read(TarArchiveEntry entry, byte[] content) {
        String name() {
            return entry.getName();
        }

        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    static List<Read> read(Path tar) throws IOException {
        return read(Files.readAllBytes(tar));
    }

    static List<Read> read(byte[] tar) throws IOException {
        List<Read> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                out.add(new Read(e, in.readAllBytes()));
            }
        }
        return out;
    }

    static Map<String, Read> byName(Path tar) throws IOException {
        Map<String, Read> out = new LinkedHashMap<>();
        for (Read r : read(tar)) {
            out.put(r.name(), r);
        }
        return out;
    }

    static List<String> names(Path tar) throws IOException {
        return read(tar).stream().map(Read::name).toList();
    }

    /**
     * The type flags of the raw headers, in order, checking the layout of the stream: each header
     * followed by its content padded to 512, then exactly two zero blocks and nothing else.
     */
    static List<Character> rawTypes(byte[] tar) {
        List<Character> types = new ArrayList<>();
        int at = 0;
        while (true) {
            if (at + 512 > tar.length) {
                throw new AssertionError("tar ends inside a header at " + at);
            }
            if (zero(tar, at, 512)) {
                if (tar.length - at != 1024 || !zero(tar, at, 1024)) {
                    throw new AssertionError("after the last entry: " + (tar.length - at) + " bytes, want exactly 1024 zero bytes");
                }
                return types;
            }
            types.add((char) tar[at + 156]);
            long size = Long.parseLong(new String(tar, at + 124, 11, StandardCharsets.US_ASCII).trim(), 8);
            at += 512 + (int) ((size + 511) / 512 * 512);
        }
    }

    private static boolean zero(byte[] b, int from, int len) {
        for (int i = from; i < from + len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Writes any entries at all, names kept as given. */
    static final class Builder {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes, 512);

        Builder() {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        Builder file(String name, byte[] content) {
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(content.length);
            return put(e, content);
        }

        Builder file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8));
        }

        Builder dir(String name) {
            return put(new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true), new byte[0]);
        }

        Builder symlink(String name, String target) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
            e.setLinkName(target);
            return put(e, new byte[0]);
        }

        Builder hardlink(String name, String target) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
            e.setLinkName(target);
            return put(e, new byte[0]);
        }

        Builder fifo(String name) {
            return put(new TarArchiveEntry(name, TarConstants.LF_FIFO, true), new byte[0]);
        }

        private Builder put(TarArchiveEntry e, byte[] content) {
            try {
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
            return this;
        }

        byte[] bytes() {
            try {
                tar.finish();
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
            return bytes.toByteArray();
        }

        void writeTo(Path file) throws IOException {
            Files.write(file, bytes());
        }
    }
}
