package dev.kiln.layout.transport;

import java.nio.file.FileSystem;
import java.nio.file.Path;

/**
 * A reference in skopeo's transport syntax: {@code oci:DIR[:TAG]}, {@code oci-archive:FILE[:TAG]},
 * {@code docker-archive:FILE[:NAME:TAG]}, {@code docker://HOST[:PORT]/REPO[:TAG|@DIGEST]}.
 * The path is split at the first colon, so folder names cannot contain one (as in skopeo).
 */
public record ImageReference(Transport transport, String location, String name) {
    public enum Transport {
        OCI("oci"), OCI_ARCHIVE("oci-archive"), DOCKER_ARCHIVE("docker-archive"), DOCKER("docker");

        public final String prefix;

        Transport(String prefix) {
            this.prefix = prefix;
        }
    }

    public ImageReference {
        if (location == null || location.isEmpty()) {
            throw new TransportException("invalid reference: missing path after '" + transport.prefix + ":'");
        }
        if (name != null && name.isEmpty()) {
            name = null;
        }
    }

    public static ImageReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new TransportException("empty image reference");
        }
        if (text.indexOf('\0') >= 0) {
            throw new TransportException("invalid image reference: contains a NUL character");
        }
        if (text.startsWith("docker://")) {
            String rest = text.substring("docker://".length());
            if (rest.isEmpty()) {
                throw new TransportException("invalid reference '" + text + "': want docker://HOST/REPO[:TAG]");
            }
            return new ImageReference(Transport.DOCKER, rest, null);
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new TransportException("invalid reference '" + text
                    + "': want oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker://HOST/REPO[:TAG]");
        }
        String prefix = text.substring(0, colon);
        String rest = text.substring(colon + 1);
        Transport t = switch (prefix) {
            case "oci" -> Transport.OCI;
            case "oci-archive" -> Transport.OCI_ARCHIVE;
            case "docker-archive" -> Transport.DOCKER_ARCHIVE;
            case "docker" -> throw new TransportException("invalid reference '" + text + "': write docker://HOST/REPO[:TAG]");
            default -> throw new TransportException("unknown transport '" + prefix + "' in '" + text
                    + "' (known: oci, oci-archive, docker-archive, docker)");
        };
        int next = rest.indexOf(':');
        String location = next < 0 ? rest : rest.substring(0, next);
        String name = next < 0 ? null : rest.substring(next + 1);
        return new ImageReference(t, location, name);
    }

    /** The file or folder of a local transport, resolved on a file system. */
    public Path path(FileSystem fs) {
        return fs.getPath(location);
    }

    public boolean isLocal() {
        return transport != Transport.DOCKER;
    }

    @Override
    public String toString() {
        if (transport == Transport.DOCKER) {
            return "docker://" + location;
        }
        return transport.prefix + ":" + location + (name == null ? "" : ":" + name);
    }
}
