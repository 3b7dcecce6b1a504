package dev.kiln.layout.archive;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.InvalidDigestException;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.store.DirectoryBlobStore;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Reads an image archive (a tar, plain or gzipped) into a blob store, refusing anything that could
 * write outside it or confuse a reader: absolute names, {@code ..}, devices, hard links, duplicates,
 * files among the blobs whose names are not digests, and symbolic links but the aliases a
 * {@code docker save} writes. Nothing is created from an entry's name: blobs go into the store
 * under their digest (checked while they stream), the small metadata files stay in memory. Files
 * the format does not define are ignored, as the image-layout spec asks: an oci-archive skips them;
 * a docker-archive keeps every regular file by digest (its {@code manifest.json}, which may come
 * last, says which it uses; the rest goes with the temporary store).
 */
final class ArchiveExtractor {
    /** How the files outside the OCI layout are read. */
    enum Style {
        /** oci-archive: the layout; other files are skipped unread. */
        OCI,
        /** docker-archive: the layout, and every other regular file by digest, for manifest.json to name. */
        DOCKER
    }

    static final String OCTET_STREAM = "application/octet-stream";
    private static final Set<String> METADATA = Set.of("oci-layout", "index.json", "manifest.json", "repositories");
    private static final Pattern BLOB = Pattern.compile("blobs/([^/]+)/([^/]+)");
    private static final String HEX = "[a-f0-9]{64}";
    /** The layer links of a classic {@code docker save} and of containers/image, skipped in an oci-archive. */
    private static final Pattern LEGACY_LAYER = Pattern.compile(HEX + "/layer\\.tar");
    private static final Pattern LEGACY_LINK_TARGET = Pattern.compile("\\.\\./(" + HEX + "/layer\\.tar|" + HEX + "\\.tar)");
    private static final int MAX_LINK_HOPS = 4;

    /** What an archive held. */
    static final class Contents {
        final Map<String, byte[]> metadata = new HashMap<>();
        /** Files of a docker-archive outside the layout, stored by digest: name to descriptor. */
        final Map<String, Descriptor> files = new HashMap<>();
        /** Symbolic links of a docker-archive: name to the archive name they point at. */
        final Map<String, String> links = new HashMap<>();
        final DirectoryBlobStore store;
        final String archive;

        Contents(DirectoryBlobStore store, String archive) {
            this.store = store;
            this.archive = archive;
        }

        byte[] metadata(String name) {
            return metadata.get(name);
        }

        /**
         * The stored blob an archive path names ({@code blobs/sha256/<hex>}, {@code <id>/layer.tar},
         * {@code <id>.json}, {@code sha256:<hex>}, any file of a docker-archive), links followed;
         * null when the archive did not hold it.
         */
        Descriptor resolve(String path) throws IOException {
            String p = stripDotSlash(path);
            for (int hops = 0; links.containsKey(p); hops++) {
                if (hops >= MAX_LINK_HOPS) {
                    throw new ArchiveException(archive + ": entry '" + printable(path) + "': too many links");
                }
                p = links.get(p);
            }
            Matcher m = BLOB.matcher(p);
            if (m.matches()) {
                Digest d;
                try {
                    d = new Digest(m.group(1), m.group(2));
                } catch (InvalidDigestException e) {
                    return null;
                }
                return store.exists(d) ? new Descriptor(OCTET_STREAM, d, store.size(d)) : null;
            }
            return files.get(p);
        }
    }

    private final String archive;
    private final Style style;
    private final Contents contents;
    private final Set<String> seen = new HashSet<>();

    private ArchiveExtractor(String archive, Style style, DirectoryBlobStore store) {
        this.archive = archive;
        this.style = style;
        this.contents = new Contents(store, archive);
    }

    /** Reads {@code file} into {@code store}; {@code what} names the archive in errors. */
    static Contents extract(Path file, Style style, DirectoryBlobStore store, String what) throws IOException {
        return extract(file, style, store, what, Long.MAX_VALUE);
    }

    /**
     * Reads {@code file} into {@code store}, refusing an archive whose (uncompressed) tar is over
     * {@code maxExpandedBytes}: a small gzipped archive must not fill the disk.
     */
    static Contents extract(Path file, Style style, DirectoryBlobStore store, String what, long maxExpandedBytes)
            throws IOException {
        ArchiveExtractor x = new ArchiveExtractor(what, style, store);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
            InputStream in = raw;
            raw.mark(4);
            int b1 = raw.read();
            int b2 = raw.read();
            raw.reset();
            if (b1 == 0x1f && b2 == 0x8b) {
                in = new GZIPInputStream(raw, 64 * 1024);
            }
            long[] total = {0};
            x.read(StrictTarInput.open(in, n -> {
                total[0] += n;
                if (total[0] > maxExpandedBytes) {
                    throw new ArchiveException(what + ": expands to more than " + maxExpandedBytes
                            + " bytes (the limit for reading archives; raise it with --max-expanded-size)");
                }
            }, what));
        } catch (KilnException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // commons-compress reports broken tars (truncated, bad PAX or GNU headers) as IOExceptions and,
            // for some numbers, as IllegalArgumentExceptions
            throw new ArchiveException(what + ": cannot read the archive: " + oneLine(e), e);
        }
        return x.contents;
    }


    private void read(TarArchiveInputStream tar) throws IOException {
        TarArchiveEntry e;
        int count = 0;
        while ((e = tar.getNextEntry()) != null) {
            count++;
            if (!e.isCheckSumOK()) {
                throw refuse(e.getName(), "has a bad header checksum (a corrupt or truncated archive)");
            }
            String name = checkName(e.getName());
            if (e.isDirectory()) {
                continue; // folders make nothing: blobs are stored by digest
            }
            if (!name.isEmpty() && !seen.add(name)) {
                throw refuse(e.getName(), "appears twice in the archive");
            }
            if (e.isSymbolicLink()) {
                link(name, e);
                continue;
            }
            byte flag = e.getLinkFlag();
            if (e.isLink()) {
                throw refuse(e.getName(), "is a hard link; links are not allowed");
            }
            if (flag != TarConstants.LF_NORMAL && flag != TarConstants.LF_OLDNORM || e.isSparse()) {
                throw refuse(e.getName(), "is a " + kind(e) + "; only regular files and folders are allowed");
            }
            file(name, e, tar);
        }
        if (count == 0) {
            throw new ArchiveException(archive + ": empty archive (no tar entries)");
        }
    }

    private void file(String name, TarArchiveEntry e, InputStream in) throws IOException {
        if (METADATA.contains(name)) {
            if (e.getSize() > Json.MAX_DOCUMENT_BYTES) {
                throw refuse(name, e.getSize() + " bytes is over the " + Json.MAX_DOCUMENT_BYTES + "-byte limit");
            }
            contents.metadata.put(name, Json.readLimited(in, archive + ": " + name));
            return;
        }
        Matcher blob = BLOB.matcher(name);
        if (!blob.matches() && name.startsWith("blobs/")) {
            throw refuse(name, "is not a blob name (want blobs/<algorithm>/<hex>)");
        }
        if (blob.matches()) {
            Digest d;
            try {
                d = new Digest(blob.group(1), blob.group(2));
            } catch (InvalidDigestException x) {
                throw refuse(name, "is not a blob name (" + x.getMessage() + ")");
            }
            try {
                contents.store.put(new Descriptor(OCTET_STREAM, d, e.getSize()), in);
            } catch (KilnException x) {
                throw new ArchiveException(archive + ": entry '" + name + "': " + x.getMessage(), x);
            }
            return;
        }
        if (style == Style.DOCKER) {
            contents.files.put(name, contents.store.put(OCTET_STREAM, in));
        }
        // an oci-archive's file beyond the layout (a README, .kiln/gc.lock): ignored, its bytes skipped
    }

    /**
     * A symbolic link: in a docker-archive an alias for the archive name it points at (as
     * {@code docker save} links a layer it already wrote), never followed on disk; refused when it
     * points out of the archive or sits among the blobs. An oci-archive has no links but the
     * legacy layer links of an archive that is both, which are skipped.
     */
    private void link(String name, TarArchiveEntry e) {
        String target = e.getLinkName();
        if (style == Style.OCI) {
            if (LEGACY_LAYER.matcher(name).matches() && LEGACY_LINK_TARGET.matcher(target).matches()) {
                return;
            }
            throw refuse(e.getName(), "is a symbolic link (to '" + printable(target) + "'); links are not allowed");
        }
        String resolved = insideTarget(name, target);
        if (resolved == null || name.startsWith("blobs/") || resolved.isEmpty()) {
            throw refuse(e.getName(), "is a symbolic link (to '" + printable(target) + "')"
                    + (name.startsWith("blobs/") ? " among the blobs" : " out of the archive") + "; such links are not allowed");
        }
        contents.links.put(name, resolved);
    }

    /** Where a link at {@code name} to {@code target} points, as an archive name; null when that is outside the archive. */
    private static String insideTarget(String name, String target) {
        if (target.isEmpty() || target.startsWith("/") || target.indexOf('\\') >= 0) {
            return null;
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return null;
            }
        }
        ArrayDeque<String> parts = new ArrayDeque<>();
        int slash = name.lastIndexOf('/');
        if (slash > 0) {
            for (String p : name.substring(0, slash).split("/")) {
                parts.addLast(p);
            }
        }
        for (String p : target.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.removeLast();
            } else {
                parts.addLast(p);
            }
        }
        if (!parts.isEmpty() && parts.peekFirst().matches("[A-Za-z]:")) {
            return null;
        }
        return String.join("/", parts);
    }

    /** The entry name without {@code ./} and trailing {@code /}; refuses names that could leave the folder. */
    private String checkName(String raw) {
        if (raw.isEmpty()) {
            throw refuse(raw, "has an empty name");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw refuse(raw, "has a control character in its name");
            }
        }
        if (raw.startsWith("/")) {
            throw refuse(raw, "is an absolute path");
        }
        if (raw.indexOf('\\') >= 0) {
            throw refuse(raw, "has a backslash in its name");
        }
        String n = stripDotSlash(raw);
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty() || n.equals(".")) {
            return "";
        }
        String[] parts = n.split("/", -1);
        if (parts[0].matches("[A-Za-z]:")) {
            throw refuse(raw, "is an absolute path");
        }
        for (String part : parts) {
            if (part.equals("..")) {
                throw refuse(raw, "leaves the archive folder (..)");
            }
            if (part.isEmpty() || part.equals(".")) {
                throw refuse(raw, "is not a clean path");
            }
        }
        return n;
    }

    static String stripDotSlash(String s) {
        String n = s;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        return n;
    }

    private ArchiveException refuse(String name, String problem) {
        return new ArchiveException(archive + ": entry '" + printable(name) + "' " + problem + "; refused");
    }

    private static String kind(TarArchiveEntry e) {
        if (e.isCharacterDevice()) {
            return "character device";
        }
        if (e.isBlockDevice()) {
            return "block device";
        }
        if (e.isFIFO()) {
            return "named pipe";
        }
        if (e.isSparse()) {
            return "sparse file";
        }
        return "tar entry of type '" + (char) e.getLinkFlag() + "'";
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 200 ? b + "..." : b.toString();
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }
}
