package dev.kiln.layout.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.kiln.layout.archive.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystem;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransportsTest {
    @Test
    void archivesComeFromTheServiceLoaderAndDockerNeedsTheRegistryModule() throws IOException {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            TestImages.twoPlatforms(fs.getPath("/a"), "1.0");
            Transports t = Transports.standard();
            try (ImageSource s = t.openSource(ImageReference.parse("oci:/a:1.0"), fs)) {
                assertEquals("oci:/a:1.0", s.describe());
            }
            TransportOptions o = TransportOptions.defaults().withTempDir(fs.getPath("/tmp"));
            try (ImageDestination d = t.openDestination(ImageReference.parse("oci-archive:/x.tar"), fs, o)) {
                assertTrue(d.acceptsIndex());
            }
            try (ImageDestination d = t.openDestination(ImageReference.parse("docker-archive:/x.tar:hello:1.0"), fs, o)) {
                assertTrue(!d.acceptsIndex());
            }
            TransportException e = assertThrows(TransportException.class,
                    () -> t.openSource(ImageReference.parse("docker://example.com/hello:1.0"), fs));
            assertEquals("docker://example.com/hello:1.0: the docker transport is not available (it needs kiln's registry module)",
                    e.getMessage());
        }
    }

    @Test
    void aProviderPassedInIsUsed() throws IOException {
        ImageSource fake = new ImageSource() {
            @Override
            public dev.kiln.layout.spec.Descriptor root() {
                return null;
            }

            @Override
            public byte[] readManifest(dev.kiln.layout.spec.Descriptor d) {
                return new byte[0];
            }

            @Override
            public InputStream openBlob(dev.kiln.layout.spec.Descriptor d) {
                return InputStream.nullInputStream();
            }

            @Override
            public boolean hasBlob(dev.kiln.layout.spec.Descriptor d) {
                return false;
            }

            @Override
            public String describe() {
                return "fake registry";
            }
        };
        TransportProvider registry = new TransportProvider() {
            @Override
            public boolean handles(ImageReference.Transport transport) {
                return transport == ImageReference.Transport.DOCKER;
            }

            @Override
            public ImageSource openSource(ImageReference ref, FileSystem fs, TransportOptions options) {
                return fake;
            }

            @Override
            public ImageDestination openDestination(ImageReference ref, FileSystem fs, TransportOptions options) {
                throw new UnsupportedOperationException();
            }
        };
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            assertEquals("fake registry", new Transports(List.of(registry))
                    .openSource(ImageReference.parse("docker://example.com/hello:1.0"), fs).describe());
        }
    }
}
