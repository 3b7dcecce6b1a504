package dev.kiln.layout.archive;

import dev.kiln.layout.KilnException;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.json.JsonFields;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.transport.TransportOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an oci-archive (a tar of an OCI layout, plain or gzipped): extracts it safely into a
 * temporary layout (see {@link ArchiveExtractor}: every blob verified as it streams) and returns a
 * source over the image a tag names, or the only image. Closing the source deletes the temp layout.
 */
public final class OciArchiveReader {
    private OciArchiveReader() {
    }

    public static ArchiveSource open(Path archive, String tag) throws IOException {
        return open(archive, tag, TransportOptions.defaults(), "oci-archive:" + archive + (tag == null ? "" : ":" + tag));
    }

    public static ArchiveSource open(Path archive, String tag, TransportOptions options, String description)
            throws IOException {
        Extracted x = Extracted.of(archive, ArchiveExtractor.Style.OCI, options, description);
        try {
            byte[] indexBytes = x.contents().metadata(OciLayout.INDEX_FILE);
            if (x.contents().metadata(OciLayout.LAYOUT_FILE) == null || indexBytes == null) {
                throw new ArchiveException(description + ": not an oci-archive (" + (indexBytes == null ? "index.json" : "oci-layout")
                        + " is missing)");
            }
            if (x.contents().metadata("manifest.json") != null && DockerArchiveReader.manifestsIsNull(indexBytes)) {
                throw new ArchiveException(description + ": index.json lists no image (\"manifests\": null, as Docker 25.0 writes"
                        + " for an image saved by ID); its manifest.json names the image: read the file as docker-archive:" + archive);
            }
            ImageIndex index = x.index(indexBytes, false);
            Descriptor root = IndexEntries.resolve(index, tag, description);
            return new ArchiveSource(x.layout(), root, x.dir(), description, HeldPlatforms.of(x.layout().blobs(), root));
        } catch (IOException | RuntimeException e) {
            ArchiveFiles.deleteQuietly(x.dir(), e);
            throw e;
        }
    }

    /** An archive extracted into a temp layout whose index.json and oci-layout are the archive's. */
    record Extracted(Path dir, OciLayout layout, ArchiveExtractor.Contents contents, String what) {
        static Extracted of(Path archive, ArchiveExtractor.Style style, TransportOptions options, String what)
                throws IOException {
            if (!Files.isRegularFile(archive)) {
                throw new ArchiveException(what + ": " + (Files.exists(archive) ? "not a regular file" : "no such file"));
            }
            Path dir = ArchiveFiles.tempFolder(options.tempDirFor(archive), "kiln-archive-");
            try {
                OciLayout layout = OciLayout.openOrCreate(dir);
                ArchiveExtractor.Contents contents = ArchiveExtractor.extract(archive, style, layout.blobs(), what,
                        options.maxExpandedBytes());
                byte[] ociLayout = contents.metadata(OciLayout.LAYOUT_FILE);
                if (ociLayout != null) {
                    checkLayoutVersion(ociLayout, what);
                    Files.write(dir.resolve(OciLayout.LAYOUT_FILE), ociLayout);
                }
                return new Extracted(dir, layout, contents, what);
            } catch (IOException | RuntimeException e) {
                ArchiveFiles.deleteQuietly(dir, e);
                throw e;
            }
        }

        /**
         * Parses the archive's index.json and makes it the temp layout's; with {@code nullIsEmpty},
         * {@code "manifests": null} is read as an empty list (see {@link DockerArchiveReader#parseIndex}).
         */
        ImageIndex index(byte[] bytes, boolean nullIsEmpty) throws IOException {
            ImageIndex index = DockerArchiveReader.parseIndex(bytes, what, nullIsEmpty);
            boolean replaced = nullIsEmpty && DockerArchiveReader.manifestsIsNull(bytes);
            Files.write(dir.resolve(OciLayout.INDEX_FILE), replaced ? index.toBytes() : bytes);
            return index;
        }
    }

    static void checkLayoutVersion(byte[] bytes, String what) {
        try {
            String version = new JsonFields(Json.parseObject(bytes, what + ": oci-layout"), what + ": oci-layout")
                    .string("imageLayoutVersion");
            if (version == null || !version.startsWith("1.")) {
                throw new ArchiveException(what + ": oci-layout: unsupported imageLayoutVersion '" + version + "' (want 1.0.0)");
            }
        } catch (ArchiveException e) {
            throw e;
        } catch (KilnException e) {
            throw new ArchiveException(e.getMessage(), e);
        }
    }
}
