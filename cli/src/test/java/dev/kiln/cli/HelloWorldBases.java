package dev.kiln.cli;

import dev.kiln.builder.image.WindowsLayout;
import dev.kiln.builder.layer.BuiltLayer;
import dev.kiln.builder.layer.Compression;
import dev.kiln.builder.layer.LayerBuilder;
import dev.kiln.builder.layer.LayerEntry;
import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.oci.LayoutTag;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.spec.ContainerConfig;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.History;
import dev.kiln.layout.spec.ImageConfig;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.ImageManifest;
import dev.kiln.layout.spec.MediaTypes;
import dev.kiln.layout.spec.Platform;
import dev.kiln.testing.Peers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The two bases of the classic "Hello World" multi-OS example, written into a base layout the way
 * a mirror would hold them:
 *
 * <ul>
 *   <li>{@code docker.io/library/alpine:latest}: linux/amd64, one gzip layer with a real static
 *       busybox ({@code bin/busybox}, {@code bin/sh} and {@code bin/echo} links), {@code etc/passwd};
 *       Env PATH, Cmd {@code ["/bin/sh"]}. OCI media types.</li>
 *   <li>{@code docker.io/microsoft/nanoserver:latest}: a Docker manifest list with one windows/amd64
 *       entry (os.version {@value #NANOSERVER_OS_VERSION}), like MCR's. Its manifest (Docker schema2)
 *       has a FOREIGN base layer that is referenced by its MCR url and not stored (its digest and
 *       diff_id are those of a real Windows-shaped tar made here), then one stored update layer.</li>
 * </ul>
 */
final class HelloWorldBases {
    static final String ALPINE = "docker.io/library/alpine:latest";
    static final String NANOSERVER = "docker.io/microsoft/nanoserver:latest";
    static final String NANOSERVER_OS_VERSION = "10.0.17763.5576";
    static final Platform LINUX = new Platform("linux", "amd64", null);
    static final Platform WINDOWS = new Platform("windows", "amd64", null).withOsVersion(NANOSERVER_OS_VERSION);
    static final String MCR_BLOBS = "https://mcr.microsoft.com/v2/windows/nanoserver/blobs/";
    private static final String CREATED = "2024-03-05T00:00:00Z";

    /** What was written: the top-level descriptors and the foreign layer (which is not in the layout). */
    record Bases(Path dir, Descriptor alpine, Descriptor nanoserver, Descriptor foreignLayer, Digest foreignDiffId,
                 byte[] foreignBlob) {
    }

    private HelloWorldBases() {
    }

    /**
     * Writes both bases into the layout folder ARGS[0] (for trying the example by hand); with a second
     * argument {@code --with-foreign-blob} the layout holds the foreign layer's blob too.
     */
    public static void main(String[] args) throws IOException {
        Bases b = write(Path.of(args[0]));
        if (args.length > 1 && args[1].equals("--with-foreign-blob")) {
            OciLayout.open(b.dir()).blobs().put(b.foreignLayer(), new java.io.ByteArrayInputStream(b.foreignBlob()));
        }
        System.out.println("wrote " + ALPINE + " " + b.alpine().digest() + " and " + NANOSERVER + " "
                + b.nanoserver().digest() + " to " + b.dir());
    }

    /** Both bases with Debian's static busybox (package busybox-static) as the Linux userland. */
    static Bases write(Path dir) throws IOException {
        return write(dir, Files.readAllBytes(Peers.require("busybox")));
    }

    /** Both bases; BUSYBOX is the bytes of {@code bin/busybox} (unit tests may pass a placeholder). */
    static Bases write(Path dir, byte[] busybox) throws IOException {
        OciLayout layout = OciLayout.openOrCreate(dir);
        Descriptor alpine = alpine(layout, busybox);
        layout.tag(LayoutTag.parse(ALPINE), alpine);

        LayerBuilder gzip = LayerBuilder.of(Compression.GZIP);
        ByteArrayOutputStream foreignBytes = new ByteArrayOutputStream();
        BuiltLayer foreign = gzip.build(windowsBaseEntries(), foreignBytes);
        Descriptor foreignLayer = new Descriptor(MediaTypes.DOCKER_LAYER_FOREIGN_GZIP, foreign.digest(), foreign.size())
                .withUrls(List.of(MCR_BLOBS + foreign.digest()));
        ByteArrayOutputStream updateBytes = new ByteArrayOutputStream();
        BuiltLayer update = gzip.build(WindowsLayout.wrap(List.of(
                LayerEntry.directory("Windows", 0755),
                LayerEntry.directory("Windows/System32", 0755),
                LayerEntry.file("Windows/System32/update-" + NANOSERVER_OS_VERSION + ".txt", 0644,
                        ("cumulative update " + NANOSERVER_OS_VERSION + "\r\n").getBytes(StandardCharsets.UTF_8)))),
                updateBytes);
        Descriptor updateLayer = layout.blobs().putBytes(MediaTypes.DOCKER_LAYER_GZIP, updateBytes.toByteArray());

        ContainerConfig.Builder c = new ContainerConfig.Builder();
        c.user = "ContainerUser";
        c.cmd = List.of("c:\\windows\\system32\\cmd.exe");
        ImageConfig config = new ImageConfig(CREATED, null, "amd64", "windows", NANOSERVER_OS_VERSION, null, null,
                c.build(), List.of(foreign.diffId(), update.diffId()),
                List.of(new History(CREATED, "Apply image " + NANOSERVER_OS_VERSION, false),
                        new History(CREATED, "Install update " + NANOSERVER_OS_VERSION, false)), null);
        Descriptor configDesc = layout.blobs().putBytes(MediaTypes.DOCKER_CONFIG, config.toBytes());
        ImageManifest manifest = new ImageManifest(MediaTypes.DOCKER_MANIFEST, configDesc, List.of(foreignLayer, updateLayer));
        Descriptor manifestDesc = layout.blobs().putBytes(MediaTypes.DOCKER_MANIFEST, manifest.toBytes())
                .withPlatform(WINDOWS);
        ImageIndex list = new ImageIndex(MediaTypes.DOCKER_MANIFEST_LIST, List.of(manifestDesc));
        Descriptor nanoserver = layout.blobs().putBytes(MediaTypes.DOCKER_MANIFEST_LIST, list.toBytes());
        layout.tag(LayoutTag.parse(NANOSERVER), nanoserver);
        return new Bases(dir, alpine, nanoserver, foreignLayer, foreign.diffId(), foreignBytes.toByteArray());
    }

    private static Descriptor alpine(OciLayout layout, byte[] busybox) throws IOException {
        List<LayerEntry> entries = new ArrayList<>(List.of(
                LayerEntry.directory("bin", 0755),
                LayerEntry.file("bin/busybox", 0755, busybox),
                LayerEntry.symlink("bin/sh", "busybox"),
                LayerEntry.symlink("bin/echo", "busybox"),
                LayerEntry.directory("etc", 0755),
                LayerEntry.file("etc/passwd", 0644,
                        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n"
                                .getBytes(StandardCharsets.UTF_8)),
                LayerEntry.directory("root", 0700),
                LayerEntry.directory("tmp", 01777)));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BuiltLayer layer = LayerBuilder.of(Compression.GZIP).build(entries, bytes);
        Descriptor layerDesc = layout.blobs().putBytes(MediaTypes.OCI_LAYER_GZIP, bytes.toByteArray());
        ContainerConfig.Builder c = new ContainerConfig.Builder();
        c.env = List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        c.cmd = List.of("/bin/sh");
        ImageConfig config = new ImageConfig(CREATED, null, "amd64", "linux", null, null, null, c.build(),
                List.of(layer.diffId()), List.of(new History(CREATED, "ADD busybox-static rootfs / # kiln test base", false)), null);
        Descriptor configDesc = layout.blobs().putBytes(MediaTypes.OCI_CONFIG, config.toBytes());
        ImageManifest manifest = new ImageManifest(MediaTypes.OCI_MANIFEST, configDesc, List.of(layerDesc));
        return layout.blobs().putBytes(MediaTypes.OCI_MANIFEST, manifest.toBytes());
    }

    /** What nanoserver's base layer looks like: Files/ with cmd.exe, Hives/ with the registry hives. */
    private static List<LayerEntry> windowsBaseEntries() {
        List<LayerEntry> files = WindowsLayout.wrap(List.of(
                LayerEntry.directory("Windows", 0755),
                LayerEntry.directory("Windows/System32", 0755),
                LayerEntry.file("Windows/System32/cmd.exe", 0755,
                        "MZ placeholder for cmd.exe (kiln test base)".getBytes(StandardCharsets.UTF_8)),
                LayerEntry.file("License.txt", 0644, "kiln test placeholder\r\n".getBytes(StandardCharsets.UTF_8))));
        String rawsd = files.get(1).paxHeaders().get(WindowsLayout.RAWSD); // the Hives folder's descriptor
        List<LayerEntry> out = new ArrayList<>(files);
        for (String hive : List.of("DefaultUser_Delta", "Sam_Delta", "Security_Delta", "Software_Delta", "System_Delta")) {
            out.add(LayerEntry.file(WindowsLayout.HIVES + "/" + hive, 0644,
                    ("regf placeholder " + hive).getBytes(StandardCharsets.UTF_8)).withPaxHeader(WindowsLayout.RAWSD, rawsd));
        }
        return out;
    }
}
