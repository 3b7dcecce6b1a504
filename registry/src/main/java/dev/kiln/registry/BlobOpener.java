package dev.kiln.registry;

import dev.kiln.layout.spec.Descriptor;
import java.io.IOException;
import java.io.InputStream;

/** Opens a blob's content when its upload begins ({@code ImageSource::openBlob} fits). */
@FunctionalInterface
public interface BlobOpener {
    InputStream open(Descriptor blob) throws IOException;
}
