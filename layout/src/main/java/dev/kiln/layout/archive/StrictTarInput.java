package dev.kiln.layout.archive;

import dev.kiln.layout.KilnException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A tar reader for input written by others: every byte of the uncompressed tar (headers too, so a
 * million empty files count) is charged to a {@link Budget}, one header with its PAX records or GNU
 * long name may take at most {@link #MAX_HEADER_BYTES}, and a stream that ends inside a header is
 * refused instead of being taken for a complete tar. Shared by the archive readers and the builder's
 * layer extraction.
 */
public final class StrictTarInput extends TarArchiveInputStream {
    /** Most bytes one header may take with its PAX records or GNU long name (they are read into memory). */
    public static final int MAX_HEADER_BYTES = 1024 * 1024;

    /** Pays for bytes read; throws (a {@link KilnException} naming the limit) when over it. */
    @FunctionalInterface
    public interface Budget {
        void spend(long bytes);
    }

    private final Counting counting;
    private int depth;

    private StrictTarInput(Counting counting) {
        super(counting, "UTF-8");
        this.counting = counting;
    }

    /** @param what names the tar in messages */
    public static StrictTarInput open(InputStream uncompressed, Budget budget, String what) {
        return new StrictTarInput(new Counting(uncompressed, budget, what));
    }

    @Override
    public TarArchiveEntry getNextEntry() throws IOException {
        if (depth++ == 0) {
            if (getCurrentEntry() != null) {
                // the rest of an entry its reader left unread is content, not part of the next header
                transferTo(OutputStream.nullOutputStream());
            }
            counting.headerStart = counting.total;
        }
        try {
            return super.getNextEntry();
        } finally {
            if (--depth == 0) {
                counting.headerStart = -1;
            }
        }
    }

    @Override
    protected byte[] readRecord() throws IOException {
        long before = getBytesRead();
        byte[] r = super.readRecord();
        if (r == null && getBytesRead() > before && !isAtEOF()) {
            throw new IOException("the tar ends inside a header (truncated)");
        }
        return r;
    }

    private static final class Counting extends FilterInputStream {
        private final Budget budget;
        private final String what;
        long total;
        long headerStart = -1;

        Counting(InputStream in, Budget budget, String what) {
            super(in);
            this.budget = budget;
            this.what = what;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            if (s > 0) {
                add(s);
            }
            return s;
        }

        private void add(long n) {
            total += n;
            budget.spend(n);
            if (headerStart >= 0 && total - headerStart > MAX_HEADER_BYTES) {
                throw new KilnException(what + ": invalid tar: a header (with its PAX records or GNU long name) is over "
                        + MAX_HEADER_BYTES + " bytes");
            }
        }
    }
}
