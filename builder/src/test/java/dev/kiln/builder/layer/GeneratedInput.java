package dev.kiln.builder.layer;

import java.io.InputStream;

/**
 * {@code size} bytes of compressible text made on the fly (never held in memory): a 1 MiB text
 * buffer cycled, each 64 KiB stamped with its index so the stream never simply repeats.
 */
final class GeneratedInput extends InputStream {
    private static final byte[] BASE = GoldenLayers.words(1 << 20, 42);
    private final long size;
    private long position;

    GeneratedInput(long size) {
        this.size = size;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(len, size - position);
        for (int done = 0; done < n; ) {
            int at = (int) (position % BASE.length);
            int chunk = Math.min(n - done, BASE.length - at);
            System.arraycopy(BASE, at, b, off + done, chunk);
            for (long stamp = (position + 65535) / 65536 * 65536; stamp < position + chunk; stamp += 65536) {
                int i = off + done + (int) (stamp - position);
                long index = stamp / 65536;
                for (int k = 0; k < 8 && i + k < off + done + chunk; k++) {
                    b[i + k] = (byte) ('0' + (index >>> (3 * k) & 7));
                }
            }
            done += chunk;
            position += chunk;
        }
        return n;
    }
}
