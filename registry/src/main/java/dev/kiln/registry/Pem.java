package dev.kiln.registry;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files of a certs.d folder: certificates, and private keys as PKCS#8 ({@code PRIVATE KEY}),
 * PKCS#1 RSA ({@code RSA PRIVATE KEY}) or SEC1 EC ({@code EC PRIVATE KEY}, with its curve named).
 * Key bytes never appear in messages.
 */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final byte[] RSA_OID = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] EC_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private Pem() {
    }

    static List<X509Certificate> certificates(Path file) throws IOException {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (var c : cf.generateCertificates(new ByteArrayInputStream(dev.kiln.layout.SmallFiles.read(file, 1024 * 1024)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new RegistryException(file + ": holds no PEM certificate");
            }
            return out;
        } catch (CertificateException e) {
            throw new RegistryException(file + ": not a readable PEM certificate: " + e.getMessage());
        }
    }

    static PrivateKey privateKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue;
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new RegistryException(file + ": the " + type + " block is not valid base64");
            }
            byte[] pkcs8 = switch (type) {
                case "PRIVATE KEY" -> der;
                case "RSA PRIVATE KEY" -> wrapPkcs8(sequence(RSA_OID, new byte[] {0x05, 0x00}), der);
                case "EC PRIVATE KEY" -> wrapPkcs8(sequence(EC_OID, ecCurve(der, file)), der);
                case "ENCRYPTED PRIVATE KEY" -> throw new RegistryException(file + ": encrypted private keys are not supported; decrypt it first (openssl pkcs8 -topk8 -nocrypt)");
                default -> throw new RegistryException(file + ": unsupported key type '" + type + "' (want PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
            };
            for (String alg : new String[] {"RSA", "EC", "Ed25519", "EdDSA"}) {
                try {
                    return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
                } catch (GeneralSecurityException e) {
                    // try the next algorithm
                }
            }
            throw new RegistryException(file + ": cannot read the " + type + " (not RSA, EC or Ed25519)");
        }
        throw new RegistryException(file + ": holds no PEM private key");
    }

    /** The curve OID inside a SEC1 ECPrivateKey's [0] parameters. */
    private static byte[] ecCurve(byte[] sec1, Path file) {
        Der d = new Der(sec1);
        d.expect(0x30);
        d.length();
        d.skipElement(); // version
        d.skipElement(); // private key octets
        while (d.pos < sec1.length) {
            int tag = sec1[d.pos] & 0xff;
            if (tag == 0xa0) {
                d.pos++;
                d.length();
                int start = d.pos;
                d.skipElement();
                byte[] oid = new byte[d.pos - start];
                System.arraycopy(sec1, start, oid, 0, oid.length);
                return oid;
            }
            d.skipElement();
        }
        throw new RegistryException(file + ": the EC private key does not name its curve; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
    }

    private static byte[] wrapPkcs8(byte[] algorithmIdentifier, byte[] key) {
        byte[] version = {0x02, 0x01, 0x00};
        return tlv(0x30, concat(version, algorithmIdentifier, tlv(0x04, key)));
    }

    private static byte[] sequence(byte[]... parts) {
        return tlv(0x30, concat(parts));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tag);
        int n = value.length;
        if (n < 0x80) {
            b.write(n);
        } else if (n < 0x100) {
            b.write(0x81);
            b.write(n);
        } else if (n < 0x10000) {
            b.write(0x82);
            b.write(n >> 8);
            b.write(n);
        } else {
            b.write(0x83);
            b.write(n >> 16);
            b.write(n >> 8);
            b.write(n);
        }
        b.writeBytes(value);
        return b.toByteArray();
    }

    /** Just enough DER reading to walk a SEC1 structure. */
    private static final class Der {
        final byte[] b;
        int pos;

        Der(byte[] b) {
            this.b = b;
        }

        void expect(int tag) {
            if (pos >= b.length || (b[pos] & 0xff) != tag) {
                throw new RegistryException("malformed DER private key");
            }
            pos++;
        }

        int length() {
            if (pos >= b.length) {
                throw new RegistryException("malformed DER private key");
            }
            int first = b[pos++] & 0xff;
            if (first < 0x80) {
                return first;
            }
            int count = first & 0x7f;
            if (count > 3 || pos + count > b.length) {
                throw new RegistryException("malformed DER private key");
            }
            int n = 0;
            for (int i = 0; i < count; i++) {
                n = (n << 8) | (b[pos++] & 0xff);
            }
            return n;
        }

        void skipElement() {
            pos++; // tag
            int n = length();
            pos += n;
            if (pos > b.length) {
                throw new RegistryException("malformed DER private key");
            }
        }
    }
}
