package dev.kiln.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class HostsTest {
    @Test
    void loopbackIsRecognisedFromTheAddress() {
        for (String h : new String[] {"localhost", "localhost:5000", "127.0.0.1", "127.0.0.1:5000", "127.1.2.3:80",
                "[::1]:5000", "[::1]", "::1", "[::ffff:7f00:1]:5000", "[::ffff:127.0.0.9]", "[0:0:0:0:0:ffff:7f00:1]"}) {
            assertTrue(Hosts.isLoopback(h), h);
        }
        for (String h : new String[] {"docker.io", "128.0.0.1", "127.0.0.1.nip.io", "10.0.0.1:5000", "localhost.example.com",
                "[::2]:5000", "1270.0.0.1", "[::ffff:a00:1]:5000", "[::ffff:8000:1]", "[fe80::1%lo]", "[::ffff:7f00:1:1]"}) {
            assertFalse(Hosts.isLoopback(h), h);
        }
    }

    @Test
    void credentialsTravelOverHttpsOrToLoopbackOnly() {
        assertTrue(Hosts.mayCarryCredentials(URI.create("https://reg.example/v2/")));
        assertTrue(Hosts.mayCarryCredentials(URI.create("http://127.0.0.1:5000/v2/")));
        assertTrue(Hosts.mayCarryCredentials(URI.create("http://[::1]:5000/v2/")));
        assertFalse(Hosts.mayCarryCredentials(URI.create("http://reg.example/v2/")));
        assertFalse(Hosts.mayCarryCredentials(URI.create("http://10.1.1.1:5000/token")));
    }

    @Test
    void originsAndDockerHub() {
        assertTrue(Hosts.sameOrigin(URI.create("https://r.example/v2/x"), URI.create("https://R.example:443")));
        assertFalse(Hosts.sameOrigin(URI.create("https://r.example/v2/x"), URI.create("http://r.example")));
        assertFalse(Hosts.sameOrigin(URI.create("http://127.0.0.1:1/"), URI.create("http://127.0.0.1:2/")));
        assertEquals("registry-1.docker.io", Hosts.apiHost("docker.io"));
        assertEquals("ghcr.io", Hosts.apiHost("ghcr.io"));
        assertEquals("::1", Hosts.hostOnly("[::1]:5000"));
        assertEquals("reg.example", Hosts.hostOnly("reg.example:5000"));
    }
}
