package dev.kiln.layout.spec;

import dev.kiln.layout.json.JsonFields;

/**
 * The {@code schemaVersion} of an index or manifest, read before anything else: schema1 and
 * unknown versions are refused by name, not by the first field they happen to lack.
 */
final class SchemaVersion {
    private SchemaVersion() {
    }

    /** The version, which is 2; fails naming the version (or its absence) otherwise. */
    static long check(JsonFields f) {
        Long v = f.longValue("schemaVersion");
        if (v == null) {
            throw f.bad("schemaVersion", "missing (want 2)");
        }
        if (v == 1) {
            throw UnsupportedContentException.schema1(f.where() + " has schemaVersion 1: it");
        }
        if (v != 2) {
            throw new UnsupportedContentException(f.where() + ": schemaVersion " + v
                    + " is not supported (kiln reads schemaVersion 2: OCI and Docker schema2)");
        }
        return v;
    }
}
