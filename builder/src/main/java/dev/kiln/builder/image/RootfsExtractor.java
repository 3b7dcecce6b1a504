package dev.kiln.builder.image;

import com.github.luben.zstd.ZstdInputStream;
import dev.kiln.layout.KilnException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import dev.kiln.layout.archive.StrictTarInput;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Applies image layers, in order, to a folder: whiteouts delete, opaque whiteouts clear a folder,
 * later layers replace earlier files. Nothing is written outside the folder: names with {@code ..}
 * or a leading {@code /} are refused, and no entry is written through a symbolic link. Device
 * files and fifos are skipped (kiln runs nothing, so they are never needed to copy files out);
 * other tar types are refused. Setuid, setgid and sticky bits are never set on the extracted files
 * and owners are not changed (the files on disk belong to whoever runs kiln); each entry's real
 * mode (all 12 bits) and numeric owner are kept in {@link #metadata(String)} instead, which is
 * where ADD and COPY --from take them from.
 * Every byte of the uncompressed tar, headers included, counts against the expansion limit.
 */
public final class RootfsExtractor {
    /** An extracted entry's mode (12 permission bits) and numeric owner, as its tar header gave them. */
    public record Meta(int mode, long uid, long gid) {
    }

    private final Path root;
    private final long maxExpandedBytes;
    private long expanded;
    private final java.util.TreeMap<String, Meta> meta = new java.util.TreeMap<>();

    /** @param maxExpandedBytes limit on the total uncompressed size (decompression bombs) */
    public RootfsExtractor(Path root, long maxExpandedBytes) {
        this.root = root;
        this.maxExpandedBytes = maxExpandedBytes;
    }

    /** Applies one layer; {@code what} names it in messages. The stream is closed. */
    public void apply(InputStream layer, String what) throws IOException {
        Set<String> seenInLayer = new HashSet<>();
        String current = null;
        try (TarArchiveInputStream tar = StrictTarInput.open(decompress(layer), budget(what), what)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; tar.transferTo(OutputStream.nullOutputStream())) {
                current = null;
                if (!e.isCheckSumOK()) {
                    throw new KilnException(what + ": invalid tar: bad header checksum at entry '" + printable(e.getName()) + "'");
                }
                String name = clean(e.getName(), what);
                if (name.isEmpty()) {
                    continue;
                }
                current = name;
                if (!seenInLayer.add(name)) {
                    throw new KilnException(what + ": duplicate entry '" + printable(name) + "'");
                }
                String base = name.substring(name.lastIndexOf('/') + 1);
                String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
                if (base.equals(".wh..wh..opq")) {
                    Path dir = safe(parent, what);
                    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                        clearDirectory(dir);
                        under(parent).clear();
                    }
                    continue;
                }
                if (base.startsWith(".wh.")) {
                    String gone = base.substring(4);
                    if (gone.isEmpty() || gone.equals(".") || gone.equals("..")) {
                        // ".wh..." would delete the folder above the root
                        throw new KilnException(what + ": whiteout '" + printable(name) + "' names no file");
                    }
                    String goneName = (parent.isEmpty() ? "" : parent + "/") + gone;
                    deleteTree(safe(goneName, what));
                    forget(goneName);
                    continue;
                }
                byte type = e.getLinkFlag();
                boolean regular = type == TarConstants.LF_NORMAL || type == TarConstants.LF_OLDNORM
                        || type == TarConstants.LF_CONTIG;
                boolean special = e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO();
                if (special) {
                    continue; // devices and fifos: skipped (kiln runs nothing, so they are never needed)
                }
                if (!e.isDirectory() && !e.isSymbolicLink() && !e.isLink() && !regular || e.isSparse()) {
                    throw new KilnException(what + ": entry '" + printable(name) + "' has the unsupported tar type '"
                            + printable(String.valueOf((char) type)) + "'");
                }
                Path target = safe(name, what);
                Files.createDirectories(target.getParent());
                Meta header = new Meta(e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId());
                if (!e.isDirectory()) {
                    forget(name);
                }
                meta.put(name, header);
                if (e.isDirectory()) {
                    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                        deleteTree(target);
                        Files.createDirectory(target);
                    }
                    setMode(target, e.getMode() | 0700);
                } else if (e.isSymbolicLink()) {
                    deleteTree(target);
                    Files.createSymbolicLink(target, target.getFileSystem().getPath(e.getLinkName()));
                } else if (e.isLink()) {
                    Path source = safe(clean(e.getLinkName(), what), what);
                    if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                        throw new KilnException(what + ": hard link '" + printable(name) + "' points at '"
                                + printable(e.getLinkName()) + "', which is not a file of the image");
                    }
                    deleteTree(target);
                    Files.copy(source, target, LinkOption.NOFOLLOW_LINKS);
                } else {
                    if (e.getSize() > maxExpandedBytes - expanded) {
                        throw tooBig(what);
                    }
                    deleteTree(target);
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    setMode(target, e.getMode() | 0600);
                }
            }
        } catch (KilnException e) {
            throw e;
        } catch (FileSystemException e) {
            // a name the file system refuses (too long, a file where a folder should be, ...)
            String reason = e.getReason() != null ? e.getReason()
                    : e instanceof FileAlreadyExistsException ? "a file of the same name is in the way"
                    : e instanceof java.nio.file.NotDirectoryException ? "a parent is not a folder"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.NoSuchFileException ? "a parent folder is missing"
                    : "the file system refused it";
            throw new KilnException(what + ": cannot extract " + (current == null ? "an entry" : "'" + printable(current) + "'")
                    + ": " + reason, e);
        } catch (IOException | RuntimeException e) {
            // commons-compress reports a broken tar (truncated, bad checksum, bad PAX or GNU header) this way
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new KilnException(what + ": invalid tar" + (current == null ? "" : " at '" + printable(current) + "'")
                    + ": " + oneLine(m), e);
        }
    }

    /**
     * The mode and owner the tar gave the extracted entry at {@code path} (clean, relative), or
     * null for a folder no entry named (made because a path needed it) and for the root.
     */
    public Meta metadata(String path) {
        return meta.get(path);
    }

    private java.util.SortedMap<String, Meta> under(String dir) {
        return dir.isEmpty() ? meta : meta.subMap(dir + "/", dir + "0"); // '0' follows '/'
    }

    private void forget(String path) {
        meta.remove(path);
        under(path).clear();
    }

    /**
     * A tar reader over a layer with this extractor's limits (expansion, header size, truncated
     * headers), for reading a layer without extracting it.
     */
    TarArchiveInputStream reader(InputStream layer, String what) throws IOException {
        return StrictTarInput.open(decompress(layer), budget(what), what);
    }

    /** Charges every byte read to this extractor's total, shared by all the layers it applies. */
    private StrictTarInput.Budget budget(String what) {
        return n -> {
            expanded += n;
            if (expanded > maxExpandedBytes) {
                throw tooBig(what);
            }
        };
    }

    private KilnException tooBig(String what) {
        return new KilnException(what + ": expands to more than " + maxExpandedBytes
                + " bytes (the limit for unpacking; raise it with --max-expanded-size)");
    }


    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 200 ? b + "..." : b.toString();
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    static InputStream decompress(InputStream in) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 256 * 1024);
        b.mark(4);
        byte[] magic = b.readNBytes(4);
        b.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(b, 64 * 1024);
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
            return new ZstdInputStream(b);
        }
        return b;
    }

    /** A tar name as a clean relative path; refuses names that leave the root. */
    static String clean(String name, String what) {
        if (name.indexOf('\0') >= 0) {
            throw new KilnException(what + ": entry name contains a NUL character");
        }
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        if (n.startsWith("/")) {
            throw new KilnException(what + ": absolute path '" + printable(name) + "' in the tar");
        }
        StringBuilder out = new StringBuilder();
        for (String part : n.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new KilnException(what + ": path '" + printable(name) + "' leaves the root (..)");
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    /** The path of a clean name, after checking that no folder on the way is a symbolic link. */
    private Path safe(String name, String what) {
        Path p = root;
        String[] parts = name.split("/");
        for (int i = 0; i < parts.length; i++) {
            p = p.resolve(parts[i]);
            if (i < parts.length - 1 && Files.isSymbolicLink(p)) {
                throw new KilnException(what + ": entry '" + name + "' would be written through the symbolic link '"
                        + String.join("/", java.util.Arrays.copyOf(parts, i + 1)) + "'");
            }
        }
        return p;
    }

    private static void setMode(Path p, int mode) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(rwx(mode)));
        } catch (UnsupportedOperationException | IOException e) {
            // file systems without POSIX permissions keep their defaults
        }
    }

    static String rwx(int mode) {
        String chars = "rwxrwxrwx";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            b.append((mode & (1 << (8 - i))) != 0 ? chars.charAt(i) : '-');
        }
        return b.toString();
    }

    private static void clearDirectory(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path c : (Iterable<Path>) children::iterator) {
                deleteTree(c);
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(p)) {
                for (Path c : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                    try {
                        Files.delete(c);
                    } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
                        throw new IOException("cannot delete " + c, e);
                    }
                }
            }
        } else {
            Files.delete(p);
        }
    }
}
