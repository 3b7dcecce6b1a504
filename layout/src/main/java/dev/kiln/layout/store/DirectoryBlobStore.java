package dev.kiln.layout.store;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.DigestMismatchException;
import dev.kiln.layout.digest.InvalidDigestException;
import dev.kiln.layout.digest.SelfVerifyingStream;
import dev.kiln.layout.digest.VerifyingInputStream;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Blobs as files {@code blobs/<algorithm>/<hex>} under an OCI layout, with temporary files in a
 * separate folder of the same file system so the final move is atomic. A durable store (the
 * default) syncs each blob and its folder before and after the move; a scratch store (a layout
 * that is deleted after use, e.g. while an archive is assembled) skips the syncs.
 */
public final class DirectoryBlobStore implements BlobStore {
    private static final int BUFFER = 256 * 1024;
    private final Path blobs;
    private final Path tmp;
    private final boolean durable;

    /**
     * A durable store.
     *
     * @param blobs the {@code blobs} folder
     * @param tmp   a folder on the same file system for partial writes (created on first write)
     */
    public DirectoryBlobStore(Path blobs, Path tmp) {
        this(blobs, tmp, true);
    }

    /**
     * @param durable false for a scratch store: blobs are not synced to disk (the caller throws the
     *                store away after use and never relies on it surviving a crash)
     */
    public DirectoryBlobStore(Path blobs, Path tmp, boolean durable) {
        this.blobs = blobs;
        this.tmp = tmp;
        this.durable = durable;
    }

    /** False for a scratch store, whose blobs are not synced. */
    public boolean durable() {
        return durable;
    }

    public Path path(Digest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.hex());
    }

    @Override
    public boolean exists(Digest digest) {
        return Files.isRegularFile(path(digest), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public long size(Digest digest) throws IOException {
        try {
            return Files.size(regularFile(digest));
        } catch (NoSuchFileException e) {
            throw missing(digest);
        }
    }

    @Override
    public InputStream open(Digest digest) throws IOException {
        try {
            return Files.newInputStream(regularFile(digest));
        } catch (NoSuchFileException e) {
            throw missing(digest);
        }
    }

    @Override
    public InputStream openAt(Digest digest, long offset) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(regularFile(digest));
        } catch (NoSuchFileException e) {
            throw missing(digest);
        }
        try {
            ch.position(offset);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return Channels.newInputStream(ch);
    }

    @Override
    public InputStream openVerified(Descriptor descriptor) throws IOException {
        return new VerifyingInputStream(open(descriptor.digest()), descriptor.digest(), descriptor.size(), "blob");
    }

    @Override
    public byte[] readSmall(Descriptor descriptor) throws IOException {
        if (descriptor.size() > Json.MAX_DOCUMENT_BYTES) {
            throw new BlobStoreException("blob " + descriptor.digest() + ": " + descriptor.size()
                    + " bytes is over the " + Json.MAX_DOCUMENT_BYTES + "-byte limit for a " + descriptor.mediaType());
        }
        try (InputStream in = openVerified(descriptor)) {
            byte[] bytes = in.readNBytes((int) descriptor.size() + 1);
            if (bytes.length == descriptor.size()) {
                in.read(); // reach EOF so the digest is checked
            }
            return bytes;
        }
    }

    private Path regularFile(Digest digest) throws IOException {
        Path p = path(digest);
        if (Files.isSymbolicLink(p)) {
            throw new BlobStoreException("blob " + digest + " is a symbolic link; blobs must be regular files");
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new BlobStoreException("blob " + digest + " is a directory; blobs must be regular files");
        }
        return p;
    }

    private static BlobStoreException missing(Digest digest) {
        return new BlobMissingException(digest);
    }

    @Override
    public Descriptor put(String mediaType, InputStream in) throws IOException {
        try (BlobWriter w = writer()) {
            in.transferTo(w.stream());
            Digest d = w.commit();
            return new Descriptor(mediaType, d, w.size());
        }
    }

    @Override
    public boolean put(Descriptor expected, InputStream in) throws IOException {
        if (exists(expected.digest()) && Files.size(path(expected.digest())) == expected.size()) {
            return false;
        }
        // a stream that checks its own digest at its end (a registry download, a verified file) is
        // not hashed again: the loop below ends only at a clean end of stream, after that check
        boolean checked = SelfVerifyingStream.checks(in, expected.digest(), expected.size());
        try (BlobWriter w = checked ? writer(expected.digest().algorithm(), expected.digest())
                : writer(expected.digest().algorithm())) {
            byte[] buffer = new byte[BUFFER];
            OutputStream out = w.stream();
            for (int n; (n = in.read(buffer)) != -1; ) {
                out.write(buffer, 0, n);
                if (w.size() > expected.size()) {
                    throw new DigestMismatchException("blob " + expected.digest() + ": more than the expected "
                            + expected.size() + " bytes");
                }
            }
            w.commit(expected.digest(), expected.size());
            return true;
        }
    }

    @Override
    public Descriptor putBytes(String mediaType, byte[] bytes) throws IOException {
        Descriptor d = new Descriptor(mediaType, Digest.sha256(bytes), bytes.length);
        put(d, new ByteArrayInputStream(bytes));
        return d;
    }

    @Override
    public BlobWriter writer() throws IOException {
        return writer("sha256");
    }

    private BlobWriter writer(String algorithm) throws IOException {
        return writer(algorithm, null);
    }

    /**
     * @param checkedDigest null to hash the bytes; else the digest the source stream has checked
     *                      them against by the time they are committed (see {@link #put(Descriptor, InputStream)})
     */
    private BlobWriter writer(String algorithm, Digest checkedDigest) throws IOException {
        Files.createDirectories(tmp);
        Path file = Files.createTempFile(tmp, "blob-", ".partial");
        return new FileBlobWriter(file, algorithm, checkedDigest);
    }

    @Override
    public long delete(Digest digest) throws IOException {
        Path p = path(digest);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return -1;
        }
        long size = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0;
        Files.delete(p);
        return size;
    }

    @Override
    public List<Digest> list() throws IOException {
        List<Digest> out = new ArrayList<>();
        if (!Files.isDirectory(blobs)) {
            return out;
        }
        try (DirectoryStream<Path> algs = Files.newDirectoryStream(blobs)) {
            for (Path alg : algs) {
                if (!Files.isDirectory(alg, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(alg)) {
                    for (Path f : files) {
                        try {
                            out.add(new Digest(alg.getFileName().toString(), f.getFileName().toString()));
                        } catch (InvalidDigestException e) {
                            // not a blob (a stray file); verify reports such files, gc leaves them
                        }
                    }
                }
            }
        }
        Collections.sort(out);
        return out;
    }

    /** fsync of a directory, where the file system allows it (Linux does; some do not). */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: not every file system can open a directory
        }
    }

    /**
     * Brings a blob in by a hard link to {@code source} (a file of another store on the same file
     * system) instead of a copy. The link is made under a temporary name and the linked file is
     * hashed before it is moved to its content address, so the name is only given to bytes that were
     * checked, even if {@code source} is replaced meanwhile. False when the file system cannot link.
     *
     * @throws DigestMismatchException when the linked file is not the descriptor's bytes (nothing is named)
     */
    public boolean adoptLink(Descriptor expected, Path source) throws IOException {
        Files.createDirectories(tmp);
        Path link = tmp.resolve("link-" + java.util.UUID.randomUUID() + ".partial");
        try {
            Files.createLink(link, source);
        } catch (FileSystemException | UnsupportedOperationException e) {
            return false;
        }
        try {
            try (InputStream in = new VerifyingInputStream(Files.newInputStream(link), expected.digest(), expected.size(), "blob")) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            if (durable) {
                try (FileChannel ch = FileChannel.open(link, StandardOpenOption.READ)) {
                    ch.force(true); // it may come from a scratch store, never synced
                }
                moveAtomically(link, path(expected.digest()));
            } else {
                moveWithoutSync(link, path(expected.digest()));
            }
            return true;
        } finally {
            Files.deleteIfExists(link);
        }
    }

    /**
     * Syncs a blob that came into this store other than through a writer (e.g. hard-linked from a
     * cache that may hold blobs of scratch stores, never synced), when this store is durable.
     */
    public void syncAdopted(Digest digest) throws IOException {
        if (!durable) {
            return;
        }
        try (FileChannel ch = FileChannel.open(path(digest), StandardOpenOption.READ)) {
            ch.force(true);
        }
        syncDirectory(path(digest).getParent());
    }

    /** Moves a finished temp file to its final name atomically, then syncs the folder. */
    public static void moveAtomically(Path from, Path to) throws IOException {
        moveWithoutSync(from, to);
        syncDirectory(to.getParent());
    }

    /** Like {@link #moveAtomically} without the folder sync: for scratch files only. */
    public static void moveWithoutSync(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        readableByAll(from);
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new BlobStoreException("cannot move " + from + " to " + to + " atomically: " + e.getMessage(), e);
        }
    }

    /**
     * Temporary files are created private (0600); what kiln publishes (blobs, index.json, archives)
     * is 0644, as skopeo, Docker and tar write them, so other users can read a shared layout.
     */
    static void readableByAll(Path file) {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
            // file systems without POSIX permissions keep their own
        }
    }

    private final class FileBlobWriter implements BlobWriter {
        private final Path file;
        private final FileChannel channel;
        private final OutputStream out;
        private final MessageDigest md; // null when the source checks the digest itself
        private final String algorithm;
        private final Digest checkedDigest;
        private final OutputStream stream;
        private long size;
        private boolean done;

        FileBlobWriter(Path file, String algorithm, Digest checkedDigest) throws IOException {
            this.file = file;
            this.algorithm = algorithm;
            this.checkedDigest = checkedDigest;
            this.md = checkedDigest == null ? Digest.messageDigest(algorithm) : null;
            // the file is new and empty: no O_TRUNC, which on ext4 makes close() start writing the
            // whole blob back (auto_da_alloc), ~50 ms for a 130 MB layer of a scratch layout
            this.channel = FileChannel.open(file, StandardOpenOption.WRITE);
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
            this.stream = new OutputStream() { // keeps callers from closing the channel early
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    if (md != null) {
                        md.update((byte) b);
                    }
                    size++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    if (md != null) {
                        md.update(b, off, len);
                    }
                    size += len;
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }
            };
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public Digest commit(Digest expected, long expectedSize) throws IOException {
            if (done) {
                throw new IllegalStateException("blob already committed or aborted");
            }
            out.flush();
            Digest actual;
            if (md != null) {
                actual = Digest.of(algorithm, md);
            } else if (checkedDigest.equals(expected) && size == expectedSize) {
                actual = checkedDigest; // hashed and compared by the source stream, which has ended cleanly
            } else {
                throw new IllegalStateException("a blob checked by its source must be committed under that digest and size");
            }
            if (expectedSize >= 0 && size != expectedSize) {
                throw new DigestMismatchException("blob " + (expected == null ? actual : expected) + ": size is "
                        + size + " bytes, expected " + expectedSize);
            }
            if (expected != null && !expected.equals(actual)) {
                throw new DigestMismatchException("blob " + expected + ": content hashes to " + actual);
            }
            if (durable) {
                channel.force(true);
            }
            channel.close();
            Path target = path(actual);
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == size) {
                Files.deleteIfExists(file); // already stored: content-addressed, so identical
            } else {
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(target)) {
                    throw new BlobStoreException("blob " + actual + " exists but is not a regular file; fix the layout first");
                }
                if (durable) {
                    moveAtomically(file, target);
                } else {
                    moveWithoutSync(file, target);
                }
            }
            done = true;
            return actual;
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                try {
                    channel.close();
                } finally {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
