package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM private keys as certs.d holds them (the mutual-TLS IT uses openssl-made ones for real). */
class PemTest {
    @TempDir
    Path dir;

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The value of the OCTET STRING inside a PKCS#8 PrivateKeyInfo: the algorithm's own key encoding. */
    static byte[] innerKey(byte[] pkcs8) {
        int pos = 0;
        pos = skipHeader(pkcs8, pos); // SEQUENCE
        pos = skipElement(pkcs8, pos); // version
        pos = skipElement(pkcs8, pos); // algorithm
        int start = skipHeader(pkcs8, pos); // OCTET STRING
        int end = skipElement(pkcs8, pos);
        return Arrays.copyOfRange(pkcs8, start, end);
    }

    private static int skipHeader(byte[] b, int pos) {
        int len = b[pos + 1] & 0xff;
        return pos + 2 + (len < 0x80 ? 0 : len & 0x7f);
    }

    private static int skipElement(byte[] b, int pos) {
        int first = b[pos + 1] & 0xff;
        int len = first;
        int header = 2;
        if (first >= 0x80) {
            len = 0;
            for (int i = 0; i < (first & 0x7f); i++) {
                len = (len << 8) | (b[pos + 2 + i] & 0xff);
            }
            header += first & 0x7f;
        }
        return pos + header + len;
    }

    Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void rsaKeysAsPkcs8AndAsPkcs1() throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        byte[] pkcs8 = kp.getPrivate().getEncoded();
        PrivateKey a = Pem.privateKey(write("a.key", pem("PRIVATE KEY", pkcs8)));
        PrivateKey b = Pem.privateKey(write("b.key", "junk before\n" + pem("RSA PRIVATE KEY", innerKey(pkcs8))));
        assertEquals(kp.getPrivate(), a);
        assertEquals(kp.getPrivate(), b);
    }

    @Test
    void ecKeysAsPkcs8AndSec1WithTheirCurve() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        byte[] pkcs8 = kp.getPrivate().getEncoded();
        assertEquals("EC", Pem.privateKey(write("ec8.key", pem("PRIVATE KEY", pkcs8))).getAlgorithm());
        // SEC1 with the curve named in [0], as openssl ecparam -genkey writes it
        byte[] sec1 = innerKey(pkcs8);
        byte[] body = Arrays.copyOfRange(sec1, skipHeader(sec1, 0), sec1.length);
        byte[] p256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07};
        byte[] withCurve = Pem.tlv(0x30, concat(body, Pem.tlv(0xa0, p256)));
        PrivateKey k = Pem.privateKey(write("ec1.key", pem("EC PRIVATE KEY", withCurve)));
        assertEquals(((java.security.interfaces.ECPrivateKey) kp.getPrivate()).getS(), ((java.security.interfaces.ECPrivateKey) k).getS());
        RegistryException e = assertThrows(RegistryException.class, () -> Pem.privateKey(write("ec0.key", pem("EC PRIVATE KEY", sec1))));
        assertTrue(e.getMessage().contains("does not name its curve"), e.getMessage());
    }

    @Test
    void unsupportedOrMissingKeysAreClearErrors() throws Exception {
        RegistryException enc = assertThrows(RegistryException.class,
                () -> Pem.privateKey(write("enc.key", pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}))));
        assertTrue(enc.getMessage().contains("encrypted private keys are not supported"), enc.getMessage());
        RegistryException none = assertThrows(RegistryException.class, () -> Pem.privateKey(write("none.key", "hello")));
        assertTrue(none.getMessage().endsWith("holds no PEM private key"), none.getMessage());
        RegistryException cert = assertThrows(RegistryException.class, () -> Pem.certificates(write("bad.crt", "not a cert")));
        assertTrue(cert.getMessage().contains("bad.crt"), cert.getMessage());
    }

    @Test
    void aClientCertificateWithoutItsKeyIsRefused() throws Exception {
        Files.writeString(dir.resolve("client.cert"), "x");
        RegistryException e = assertThrows(RegistryException.class, () -> TlsSettings.context(dir, false));
        assertTrue(e.getMessage().contains("client certificate client.cert has no client.key"), e.getMessage());
        RegistryException missing = assertThrows(RegistryException.class, () -> TlsSettings.context(dir.resolve("nope"), false));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
