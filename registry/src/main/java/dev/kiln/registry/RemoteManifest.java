package dev.kiln.registry;

import dev.kiln.layout.spec.Descriptor;

/** A manifest or index as a registry served it: its exact bytes and the descriptor naming them. */
public record RemoteManifest(Descriptor descriptor, byte[] bytes) {
    public RemoteManifest {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return "RemoteManifest[" + descriptor.mediaType() + " " + descriptor.digest() + "]";
    }
}
