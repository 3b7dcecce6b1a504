package dev.kiln.builder.layer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads tar headers straight from the bytes, to check what a tar library would hide. */
final class RawTar {
    record Header(int offset, String name, char type, String mode, String uid, String gid, long size, String mtime,
                  String linkName, String magic, String version, byte[] uname, byte[] gname, byte[] prefix,
                  String paxRecords) {
    }

    private RawTar() {
    }

    /** Every header, PAX headers included, up to the end-of-archive marker. */
    static List<Header> headers(byte[] tar) {
        List<Header> headers = new ArrayList<>();
        int at = 0;
        while (true) {
            if (isZero(tar, at)) {
                if (!isZero(tar, at + 512)) {
                    throw new AssertionError("single zero record at " + at);
                }
                if (at + 1024 != tar.length) {
                    throw new AssertionError("bytes after the end-of-archive marker: " + (tar.length - at - 1024));
                }
                return headers;
            }
            long size = Long.parseLong(text(tar, at + 124, 12).trim(), 8);
            char type = (char) tar[at + 156];
            String pax = type == 'x' || type == 'g'
                    ? new String(tar, at + 512, (int) size, StandardCharsets.UTF_8) : null;
            headers.add(new Header(at, text(tar, at, 100), type, text(tar, at + 100, 8), text(tar, at + 108, 8),
                    text(tar, at + 116, 8), size, text(tar, at + 136, 12), text(tar, at + 157, 100),
                    new String(tar, at + 257, 6, StandardCharsets.ISO_8859_1), text(tar, at + 263, 2),
                    Arrays.copyOfRange(tar, at + 265, at + 297), Arrays.copyOfRange(tar, at + 297, at + 329),
                    Arrays.copyOfRange(tar, at + 345, at + 500), pax));
            at += 512 + (int) ((size + 511) / 512 * 512);
        }
    }

    private static String text(byte[] b, int at, int length) {
        int end = at;
        while (end < at + length && b[end] != 0) {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b, int at) {
        for (int i = at; i < at + 512; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
