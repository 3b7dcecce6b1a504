package dev.kiln.layout.transport;

import dev.kiln.layout.digest.Digest;
import dev.kiln.layout.json.Raw;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.spec.ImageIndex;
import dev.kiln.layout.spec.Platform;
import dev.kiln.layout.transport.ImageReader.PlatformEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The part of an index a platform list asks for: a new index made of the original entries'
 * descriptors (platform, annotations and unknown fields kept), in their order, with the attestation
 * manifests of the chosen images that the source holds (a save of some platforms has none). Images
 * found in nested indexes are listed directly. When every entry is kept, the original index (same
 * bytes, same digest) is returned.
 */
final class PlatformSubset {
    private PlatformSubset() {
    }

    static Raw<ImageIndex> of(ImageReader reader, Raw<ImageIndex> index, List<Platform> platforms) throws IOException {
        List<PlatformEntry> entries = reader.platformEntries(index);
        Set<Digest> chosen = new LinkedHashSet<>();
        List<Descriptor> chosenDescriptors = new ArrayList<>();
        for (Platform p : platforms) {
            PlatformEntry e = reader.choose(entries, p);
            if (chosen.add(e.descriptor().digest())) {
                chosenDescriptors.add(e.descriptor());
            }
        }
        List<Descriptor> kept = new ArrayList<>();
        Set<Digest> placed = new LinkedHashSet<>();
        for (Descriptor d : index.value().manifests()) {
            boolean keep = chosen.contains(d.digest());
            if (!keep && ImageReader.isAttestation(d)) {
                String ref = d.annotation(ImageReader.ANNOTATION_REFERENCE_DIGEST);
                keep = ref != null && chosen.stream().anyMatch(c -> c.toString().equals(ref))
                        && reader.source().holdsDocument(d);
            }
            if (keep) {
                kept.add(d);
                placed.add(d.digest());
            }
        }
        for (Descriptor d : chosenDescriptors) { // entries found in nested indexes
            if (!placed.contains(d.digest())) {
                kept.add(d);
            }
        }
        if (kept.equals(index.value().manifests())) {
            return index;
        }
        ImageIndex subset = index.value().withManifests(kept);
        byte[] bytes = subset.toBytes();
        Descriptor d = new Descriptor(index.descriptor().mediaType(), Digest.sha256(bytes), bytes.length);
        return new Raw<>(bytes, subset, d);
    }
}
