package dev.kiln.layout.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.JsonFields;
import dev.kiln.layout.json.JsonWriter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The platform an image runs on: os, architecture, variant, os.version, os.features. Strings are
 * parsed and printed like Docker's ({@code linux/arm64/v8}, {@code windows/amd64}), with the
 * containerd form {@code windows(10.0.17763.5576)/amd64} for an os.version. Aliases are normalized
 * (x86_64 -> amd64, aarch64 -> arm64, armhf -> arm/v7, ...) and {@link #matches} follows
 * containerd: a request for linux/arm64 matches an entry with variant v8 or none.
 */
public record Platform(String os, String architecture, String variant, String osVersion, List<String> osFeatures,
                       ObjectNode extra) {
    private static final Pattern WORD = Pattern.compile("[a-z0-9_.-]+");
    private static final Pattern OS_VERSION = Pattern.compile("[0-9A-Za-z.\\-_+]+");

    public Platform {
        if (os == null || os.isEmpty()) {
            throw new IllegalArgumentException("platform: os is missing");
        }
        if (architecture == null || architecture.isEmpty()) {
            throw new IllegalArgumentException("platform: architecture is missing");
        }
        if (variant != null && variant.isEmpty()) {
            variant = null;
        }
        if (osVersion != null && osVersion.isEmpty()) {
            osVersion = null;
        }
        osFeatures = osFeatures == null || osFeatures.isEmpty() ? null : List.copyOf(osFeatures);
        extra = extra == null || extra.isEmpty() ? null : extra.deepCopy();
    }

    public Platform(String os, String architecture, String variant) {
        this(os, architecture, variant, null, null, null);
    }

    @Override
    public ObjectNode extra() {
        return extra == null ? null : extra.deepCopy();
    }

    /**
     * Parses {@code os/arch[/variant]} (e.g. {@code linux/arm/v7}) or {@code os(version)/arch}. Aliases
     * are normalized; anything else that is not a known os and architecture is refused.
     */
    public static Platform parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty platform (want os/arch[/variant], e.g. linux/amd64)");
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        String osVersion = null;
        int open = s.indexOf('(');
        if (open >= 0) {
            int close = s.indexOf(')', open);
            if (close < 0) {
                throw new IllegalArgumentException("invalid platform '" + text + "': unclosed '('");
            }
            osVersion = text.trim().substring(open + 1, close);
            if (!OS_VERSION.matcher(osVersion).matches()) {
                throw new IllegalArgumentException("invalid platform '" + text + "': bad os.version");
            }
            s = s.substring(0, open) + s.substring(close + 1);
        }
        String[] parts = s.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("invalid platform '" + text + "' (want os/arch[/variant], e.g. linux/arm64)");
        }
        for (String p : parts) {
            if (p.isEmpty() || !WORD.matcher(p).matches()) {
                throw new IllegalArgumentException("invalid platform '" + text + "' (want os/arch[/variant], e.g. linux/arm64)");
            }
        }
        String os = normalizeOs(parts[0]);
        if (!KNOWN_OS.contains(os)) {
            throw new IllegalArgumentException("unknown operating system '" + parts[0] + "' in platform '" + text
                    + "' (known: " + String.join(", ", KNOWN_OS) + ")");
        }
        String[] archVariant = normalizeArch(parts[1], parts.length == 3 ? parts[2] : null);
        if (!KNOWN_ARCH.contains(archVariant[0])) {
            throw new IllegalArgumentException("unknown architecture '" + parts[1] + "' in platform '" + text
                    + "' (known: " + String.join(", ", KNOWN_ARCH) + ")");
        }
        return new Platform(os, archVariant[0], archVariant[1], osVersion, null, null);
    }

    static final List<String> KNOWN_OS = List.of("linux", "windows", "darwin", "freebsd", "netbsd", "openbsd",
            "solaris", "illumos", "aix", "plan9", "android", "ios", "js", "wasip1", "zos", "dragonfly");
    static final List<String> KNOWN_ARCH = List.of("amd64", "arm64", "arm", "386", "ppc64le", "ppc64", "s390x",
            "riscv64", "mips64le", "mips64", "mipsle", "mips", "loong64", "wasm", "sparc64");

    static String normalizeOs(String os) {
        String o = os.toLowerCase(Locale.ROOT);
        return o.equals("macos") ? "darwin" : o;
    }

    /** Returns {architecture, variant} with Docker's and containerd's aliases applied. */
    static String[] normalizeArch(String arch, String variant) {
        String a = arch.toLowerCase(Locale.ROOT);
        String v = variant == null ? null : variant.toLowerCase(Locale.ROOT);
        switch (a) {
            case "x86_64", "x86-64", "amd64" -> {
                a = "amd64";
                if ("v1".equals(v)) {
                    v = null;
                }
            }
            case "i386", "i686", "386" -> a = "386";
            case "aarch64", "arm64" -> {
                a = "arm64";
                if ("8".equals(v) || "v8.0".equals(v)) {
                    v = "v8";
                }
            }
            case "armhf" -> {
                a = "arm";
                v = v == null ? "v7" : v;
            }
            case "armel" -> {
                a = "arm";
                v = v == null ? "v6" : v;
            }
            case "arm" -> {
                if (v != null && v.matches("[5-8]")) {
                    v = "v" + v;
                }
            }
            default -> {
            }
        }
        if ("arm".equals(a) && v != null && v.matches("v[5-8]") == false) {
            throw new IllegalArgumentException("unknown arm variant '" + variant + "' (want v5, v6, v7 or v8)");
        }
        return new String[] {a, v};
    }

    /** The variant an architecture implies when none is given (arm64 -> v8, arm -> v7). */
    public String effectiveVariant() {
        if (variant != null) {
            return variant;
        }
        return switch (architecture) {
            case "arm64" -> "v8";
            case "arm" -> "v7";
            default -> null;
        };
    }

    /**
     * True when an image for {@code candidate} satisfies a request for this platform, as containerd
     * matches: same os and architecture, variants equal after defaults, and when this request names an
     * os.version, the candidate's starts with the same major.minor.build.
     */
    public boolean matches(Platform candidate) {
        if (candidate == null) {
            return false;
        }
        if (!normalizeOs(os).equals(normalizeOs(candidate.os))) {
            return false;
        }
        String[] mine;
        String[] theirs;
        try {
            mine = normalizeArch(architecture, variant);
            theirs = normalizeArch(candidate.architecture, candidate.variant);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (!mine[0].equals(theirs[0])) {
            return false;
        }
        Platform a = new Platform(os, mine[0], mine[1]);
        Platform b = new Platform(candidate.os, theirs[0], theirs[1]);
        if (!Objects.equals(a.effectiveVariant(), b.effectiveVariant())) {
            return false;
        }
        if (osVersion != null) {
            return candidate.osVersion != null && buildPrefix(candidate.osVersion).equals(buildPrefix(osVersion));
        }
        return true;
    }

    private static String buildPrefix(String version) {
        String[] p = version.split("\\.");
        return p.length >= 3 ? p[0] + "." + p[1] + "." + p[2] : version;
    }

    /** Same platform, ignoring os.features and unknown fields; used to find duplicate index entries. */
    public boolean sameAs(Platform other) {
        return matches(other) && other.matches(this) && Objects.equals(osVersion, other.osVersion);
    }

    public Platform withOsVersion(String version) {
        return new Platform(os, architecture, variant, version, osFeatures, extra);
    }

    public Platform withOsFeatures(List<String> features) {
        return new Platform(os, architecture, variant, osVersion, features, extra);
    }

    /**
     * As a record's own, written out: the generated one is bootstrapped through invokedynamic on
     * first use, a measurable part of a short command's start-up (platforms are map keys early on).
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Platform p && os.equals(p.os) && architecture.equals(p.architecture)
                && Objects.equals(variant, p.variant) && Objects.equals(osVersion, p.osVersion)
                && Objects.equals(osFeatures, p.osFeatures) && Objects.equals(extra, p.extra);
    }

    @Override
    public int hashCode() {
        return Objects.hash(os, architecture, variant, osVersion, osFeatures, extra);
    }

    /** {@code os/arch[/variant]}, as Docker prints it. */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }

    /** Like {@link #toString()}, with the os.version in containerd's form when there is one. */
    public String toLongString() {
        return osVersion == null ? toString()
                : os + "(" + osVersion + ")/" + architecture + (variant == null ? "" : "/" + variant);
    }

    /** A name usable inside a tag: {@code linux-arm64-v8}. */
    public String toTagSuffix() {
        return os + "-" + architecture + (variant == null ? "" : "-" + variant);
    }

    public static Platform fromJson(JsonNode node, String where) {
        JsonFields f = new JsonFields(node, where);
        String os = f.requiredString("os");
        String arch = f.requiredString("architecture");
        String variant = f.string("variant");
        String version = f.string("os.version");
        List<String> features = f.strings("os.features");
        try {
            return new Platform(os, arch, variant, version, features, f.rest());
        } catch (IllegalArgumentException e) {
            throw f.bad("platform", e.getMessage());
        }
    }

    public ObjectNode toJson() {
        return new JsonWriter()
                .put("architecture", architecture)
                .put("os", os)
                .put("os.version", osVersion)
                .strings("os.features", osFeatures)
                .put("variant", variant)
                .rest(extra)
                .build();
    }
}
