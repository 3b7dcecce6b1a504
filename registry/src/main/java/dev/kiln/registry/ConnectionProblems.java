package dev.kiln.registry;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/** What a failed connection means: worth another try or not, and a short, secret-free reason. */
final class ConnectionProblems {
    private ConnectionProblems() {
    }

    static boolean isTransient(IOException e) {
        return !(e instanceof SSLException) && !(e instanceof InterruptedIOException && !(e instanceof HttpTimeoutException));
    }

    /** A TLS server whose certificate is not trusted (or not for this host name). */
    static boolean isCertificateProblem(IOException e) {
        if (!(e instanceof SSLHandshakeException)) {
            return false;
        }
        String m = String.valueOf(e.getMessage());
        return m.contains("PKIX") || m.contains("certificate") || m.contains("No subject alternative") || m.contains("No name matching");
    }

    /** A short, secret-free reason for a connection failure. */
    static String describe(IOException e) {
        if (isCertificateProblem(e)) {
            return "TLS certificate not trusted (" + RegistryError.clean(e.getMessage())
                    + "); pass --cert-dir with the registry's CA as ca.crt, or --tls-verify=false";
        }
        if (e instanceof SSLHandshakeException) {
            return "TLS handshake failed: " + RegistryError.clean(e.getMessage());
        }
        if (e instanceof SSLException) {
            return "TLS failed: " + RegistryError.clean(e.getMessage());
        }
        if (e instanceof java.net.http.HttpConnectTimeoutException) {
            return "connection timed out";
        }
        if (e instanceof BodyStream.ReadTimeout) {
            return e.getMessage();
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within the request timeout";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : RegistryError.clean(m);
    }
}
