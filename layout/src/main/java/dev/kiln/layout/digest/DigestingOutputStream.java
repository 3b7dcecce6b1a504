package dev.kiln.layout.digest;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Hashes and counts every byte written through it on its way to the wrapped stream. */
public final class DigestingOutputStream extends FilterOutputStream {
    private final MessageDigest md;
    private final String algorithm;
    private long size;
    private Digest digest;

    public DigestingOutputStream(OutputStream out) {
        this(out, "sha256");
    }

    public DigestingOutputStream(OutputStream out, String algorithm) {
        super(out);
        this.algorithm = algorithm;
        this.md = Digest.messageDigest(algorithm);
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        md.update((byte) b);
        size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        md.update(b, off, len);
        size += len;
    }

    public long size() {
        return size;
    }

    /** The digest of everything written; after this call no more bytes may be written. */
    public Digest digest() {
        if (digest == null) {
            digest = Digest.of(algorithm, md);
        }
        return digest;
    }
}
