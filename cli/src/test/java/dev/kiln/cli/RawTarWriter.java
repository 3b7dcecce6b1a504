package dev.kiln.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Writes tars header by header from raw bytes, so that tests can make anything at all: names with
 * NUL or invalid UTF-8, sizes that lie, broken PAX records, device files, truncated streams.
 */
final class RawTarWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    RawTarWriter file(String name, String content) {
        return file(name, utf8(content), 0644);
    }

    RawTarWriter file(String name, byte[] content, int mode) {
        return entry(utf8(name), '0', mode, content.length, new byte[0], content);
    }

    RawTarWriter dir(String name) {
        return entry(utf8(name.endsWith("/") ? name : name + "/"), '5', 0755, 0, new byte[0], new byte[0]);
    }

    RawTarWriter symlink(String name, String target) {
        return entry(utf8(name), '2', 0777, 0, utf8(target), new byte[0]);
    }

    RawTarWriter hardlink(String name, String target) {
        return entry(utf8(name), '1', 0644, 0, utf8(target), new byte[0]);
    }

    RawTarWriter device(String name, char type) {
        return entry(utf8(name), type, 0666, 0, new byte[0], new byte[0]);
    }

    /** A PAX extended header ({@code x}) with these records, for the entry that follows. */
    RawTarWriter pax(Map<String, String> records) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> r : records.entrySet()) {
            String rec = " " + r.getKey() + "=" + r.getValue() + "\n";
            int len = utf8(rec).length;
            int total = len + String.valueOf(len).length();
            if (String.valueOf(total).length() != String.valueOf(len).length()) {
                total++;
            }
            b.append(total).append(rec);
        }
        return paxRaw(utf8(b.toString()));
    }

    /** A PAX extended header with exactly these bytes as its content. */
    RawTarWriter paxRaw(byte[] content) {
        return entry(utf8("PaxHeaders/x"), 'x', 0644, content.length, new byte[0], content);
    }

    /** One header and its content; {@code declaredSize} goes into the header, {@code content} follows it. */
    RawTarWriter entry(byte[] name, char type, int mode, long declaredSize, byte[] linkName, byte[] content) {
        byte[] h = header(name, type, mode, declaredSize, linkName);
        out.writeBytes(h);
        out.writeBytes(content);
        int pad = (512 - content.length % 512) % 512;
        out.writeBytes(new byte[pad]);
        return this;
    }

    /** Arbitrary bytes (a half header, garbage). */
    RawTarWriter raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    static byte[] header(byte[] name, char type, int mode, long size, byte[] linkName) {
        byte[] h = new byte[512];
        System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        if (size >= 0 && size < 077777777777L) {
            octal(h, 124, 12, size);
        } else {
            // base-256 (GNU): the high bit of the first byte set, the value big-endian
            h[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        }
        octal(h, 136, 12, 0);
        h[156] = (byte) type;
        System.arraycopy(linkName, 0, h, 157, Math.min(100, linkName.length));
        System.arraycopy(utf8("ustar\0"), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String s = String.format("%06o", sum);
        System.arraycopy(utf8(s), 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void octal(byte[] h, int at, int len, long value) {
        String s = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
        System.arraycopy(utf8(padded), 0, h, at, len - 1);
        h[at + len - 1] = 0;
    }

    /** The tar with its end-of-archive marker. */
    byte[] bytes() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(out.toByteArray());
        b.writeBytes(new byte[1024]);
        return b.toByteArray();
    }

    /** The entries so far, without the end-of-archive marker. */
    byte[] withoutEnd() {
        return out.toByteArray();
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    /** gzip of a tar holding one file of {@code size} zero bytes, made without holding the tar in memory. */
    static byte[] zeroBomb(String name, long size) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write(header(utf8(name), '0', 0644, size, new byte[0]));
            byte[] zeros = new byte[1 << 20];
            for (long left = (size + 511) / 512 * 512; left > 0; left -= zeros.length) {
                gz.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            gz.write(new byte[1024]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }
}
