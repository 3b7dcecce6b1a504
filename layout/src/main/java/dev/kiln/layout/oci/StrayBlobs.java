package dev.kiln.layout.oci;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.digest.InvalidDigestException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The part of {@link Verifier} that looks at {@code blobs/} itself: files and folders that are not
 * {@code blobs/<sha256|sha512>/<hex>}, and blobs nothing reaches (only claimed when the walk was
 * complete). All are warnings.
 */
final class StrayBlobs {
    private StrayBlobs() {
    }

    static void scan(Path root, Walk walk, Findings f) throws IOException {
        Path blobs = root.resolve(BlobFiles.BLOBS);
        if (!Files.isDirectory(blobs, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Set<Digest> reachable = walk.reachable();
        for (Path alg : sorted(blobs)) {
            String name = alg.getFileName().toString();
            String rel = BlobFiles.BLOBS + "/" + name;
            if (!Files.isDirectory(alg, LinkOption.NOFOLLOW_LINKS)) {
                f.warnings.add(new Problem(null, rel, "stray file in blobs/ (blobs live in blobs/<algorithm>/<hex>)"));
            } else if (!name.equals("sha256") && !name.equals("sha512")) {
                f.warnings.add(new Problem(null, rel + "/", "stray directory in blobs/ (unknown digest algorithm '"
                        + name + "')"));
            } else {
                for (Path file : sorted(alg)) {
                    checkFile(name, file, reachable, walk.complete(), f);
                }
            }
        }
    }

    private static void checkFile(String alg, Path file, Set<Digest> reachable, boolean complete, Findings f)
            throws IOException {
        String rel = BlobFiles.BLOBS + "/" + alg + "/" + file.getFileName();
        Digest d;
        try {
            d = new Digest(alg, file.getFileName().toString());
        } catch (InvalidDigestException e) {
            f.warnings.add(new Problem(null, rel, "stray file in blobs/: its name is not a " + alg + " digest"));
            return;
        }
        if (reachable.contains(d)) {
            return; // checked through the walk
        }
        String why = BlobFiles.unusable(file);
        if (why != null) {
            f.warnings.add(new Problem(d, rel, "stray entry in blobs/: " + why.substring("is ".length())));
        } else if (complete) {
            f.warnings.add(new Problem(d, rel, "blob is not reachable from index.json (" + Files.size(file)
                    + " bytes; kiln gc removes it)"));
        }
    }

    private static List<Path> sorted(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            entries.forEach(out::add);
        }
        out.sort(null);
        return out;
    }
}
