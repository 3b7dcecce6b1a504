package dev.kiln.layout.digest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest as the OCI image spec defines it: {@code algorithm ":" encoded}. Only the
 * registered algorithms sha256 and sha512 are accepted, with lower-case hex of the right length.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

    public Digest {
        if (algorithm == null || hex == null) {
            throw new InvalidDigestException("digest algorithm and hex must not be null");
        }
        int length = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> throw new InvalidDigestException(
                    "unsupported digest algorithm '" + printable(algorithm) + "' (sha256 and sha512 are supported)");
        };
        if (hex.length() != length || !HEX.matcher(hex).matches()) {
            throw new InvalidDigestException("invalid " + algorithm + " digest '" + printable(hex)
                    + "': want " + length + " lower-case hex characters");
        }
    }

    /** Parses {@code sha256:<64 hex>} or {@code sha512:<128 hex>}. */
    public static Digest parse(String text) {
        if (text == null) {
            throw new InvalidDigestException("missing digest");
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new InvalidDigestException("invalid digest '" + printable(text) + "': want algorithm:hex");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    public static Digest sha256(byte[] bytes) {
        return of("sha256", bytes);
    }

    public static Digest of(String algorithm, byte[] bytes) {
        MessageDigest md = messageDigest(algorithm);
        return new Digest(algorithm, HexFormat.of().formatHex(md.digest(bytes)));
    }

    public static Digest sha256(String utf8) {
        return sha256(utf8.getBytes(StandardCharsets.UTF_8));
    }

    /** Digests a stream to its end; the caller closes it. */
    public static Digest sha256(InputStream in) throws IOException {
        MessageDigest md = messageDigest("sha256");
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) != -1; ) {
            md.update(buffer, 0, n);
        }
        return of("sha256", md);
    }

    /** Completes {@code md} (of {@code algorithm}) into a digest; {@code md} is reset. */
    public static Digest of(String algorithm, MessageDigest md) {
        return new Digest(algorithm, HexFormat.of().formatHex(md.digest()));
    }

    /** A copy of {@code md} in its current state, to finish one while the other goes on. */
    public static MessageDigest copyOf(MessageDigest md) {
        try {
            return (MessageDigest) md.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the " + md.getAlgorithm() + " implementation cannot be copied", e);
        }
    }

    /** A fresh MessageDigest for this digest's algorithm. */
    public MessageDigest newMessageDigest() {
        return messageDigest(algorithm);
    }

    public static MessageDigest messageDigest(String algorithm) {
        String jca = switch (algorithm) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> throw new InvalidDigestException("unsupported digest algorithm '" + printable(algorithm) + "'");
        };
        try {
            return MessageDigest.getInstance(jca);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jca + " is missing from this JDK", e);
        }
    }

    /** True when these bytes hash to this digest. */
    public boolean matches(byte[] bytes) {
        return of(algorithm, bytes).equals(this);
    }

    /** First 12 hex characters, as docker prints image ids. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    /**
     * Written out: a record's own equals is bootstrapped through method handles on its first call,
     * which costs a fresh JVM 10-20 ms (not in the class-data archive). hashCode stays the record's.
     */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Digest d && algorithm.equals(d.algorithm) && hex.equals(d.hex);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + hex.hashCode(); // the record's own formula (ObjectMethods)
    }

    @Override
    public int compareTo(Digest o) {
        return toString().compareTo(o.toString());
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 80 ? b + "..." : b.toString();
    }
}
