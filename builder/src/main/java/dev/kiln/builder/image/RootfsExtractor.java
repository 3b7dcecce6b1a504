package dev.kiln.builder.image;

import com.github.luben.zstd.ZstdInputStream;
import dev.kiln.layout.KilnException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
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

/**
 * Applies image layers, in order, to a folder: whiteouts delete, opaque whiteouts clear a folder,
 * later layers replace earlier files. Nothing is written outside the folder: names with {@code ..}
 * or a leading {@code /} are refused, and no entry is written through a symbolic link. Device
 * files are skipped (kiln runs nothing, so they are never needed to copy files out).
 */
public final class RootfsExtractor {
    private final Path root;
    private final long maxExpandedBytes;
    private long expanded;

    /** @param maxExpandedBytes limit on the total uncompressed size (decompression bombs) */
    public RootfsExtractor(Path root, long maxExpandedBytes) {
        this.root = root;
        this.maxExpandedBytes = maxExpandedBytes;
    }

    /** Applies one layer; {@code what} names it in messages. The stream is closed. */
    public void apply(InputStream layer, String what) throws IOException {
        Set<String> seenInLayer = new HashSet<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(decompress(layer))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = clean(e.getName(), what);
                if (name.isEmpty()) {
                    continue;
                }
                if (!seenInLayer.add(name)) {
                    throw new KilnException(what + ": duplicate entry '" + name + "'");
                }
                String base = name.substring(name.lastIndexOf('/') + 1);
                String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
                if (base.equals(".wh..wh..opq")) {
                    Path dir = safe(parent, what);
                    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                        clearDirectory(dir);
                    }
                    continue;
                }
                if (base.startsWith(".wh.")) {
                    Path gone = safe((parent.isEmpty() ? "" : parent + "/") + base.substring(4), what);
                    deleteTree(gone);
                    continue;
                }
                Path target = safe(name, what);
                Files.createDirectories(target.getParent());
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
                        throw new KilnException(what + ": hard link '" + name + "' points at '" + e.getLinkName()
                                + "', which is not a file of the image");
                    }
                    deleteTree(target);
                    Files.copy(source, target, LinkOption.NOFOLLOW_LINKS);
                } else if (e.isFile()) {
                    expanded += e.getSize();
                    if (expanded > maxExpandedBytes) {
                        throw new KilnException(what + ": expands to more than " + maxExpandedBytes
                                + " bytes (limit for reading base layers)");
                    }
                    deleteTree(target);
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    setMode(target, e.getMode() | 0600);
                }
                // character and block devices, fifos: skipped
            }
        } catch (IllegalArgumentException e) {
            throw new KilnException(what + ": invalid tar: " + e.getMessage(), e);
        }
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
            throw new KilnException(what + ": absolute path '" + name + "' in a layer");
        }
        StringBuilder out = new StringBuilder();
        for (String part : n.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new KilnException(what + ": path '" + name + "' leaves the root (..)");
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
