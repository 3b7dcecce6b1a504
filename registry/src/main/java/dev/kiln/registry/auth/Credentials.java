package dev.kiln.registry.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and a secret (password, access token, or identity token when the user name is
 * {@value #IDENTITY_TOKEN_USER}). The secret never appears in {@link #toString()}.
 */
public record Credentials(String username, String secret) {
    /** The user name Docker stores with an identity (refresh) token instead of a password. */
    public static final String IDENTITY_TOKEN_USER = "<token>";

    public Credentials {
        if (username == null || username.isEmpty()) {
            throw new CredentialsException("credentials: the user name is empty");
        }
        if (username.indexOf(':') >= 0 && !IDENTITY_TOKEN_USER.equals(username)) {
            throw new CredentialsException("credentials: the user name must not contain ':'");
        }
        if (secret == null || secret.isEmpty()) {
            throw new CredentialsException("credentials for user " + username + ": the password is empty");
        }
        KnownSecrets.addCredentials(username, secret); // whatever happens next, no output shows it
    }

    /** Parses {@code USER:PASS} as given to {@code --creds} (the password may contain ':'). */
    public static Credentials parse(String userColonPassword) {
        if (userColonPassword == null) {
            throw new CredentialsException("--creds: want USER:PASSWORD");
        }
        int colon = userColonPassword.indexOf(':');
        if (colon <= 0 || colon == userColonPassword.length() - 1) {
            throw new CredentialsException("--creds: want USER:PASSWORD (user and password must not be empty)");
        }
        return new Credentials(userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
    }

    /** Decodes a Docker config {@code auth} field: base64 of {@code user:password}. */
    static Credentials fromBase64(String auth, String where) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new CredentialsException(where + ": the auth field is not valid base64");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0 || colon == decoded.length() - 1) {
            throw new CredentialsException(where + ": the auth field does not hold user:password");
        }
        return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    /** True when the secret is an identity token to exchange for access tokens (OAuth2 refresh). */
    public boolean isIdentityToken() {
        return IDENTITY_TOKEN_USER.equals(username);
    }

    /** {@code base64(user:secret)}, as in a Docker config file. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString((username + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** The value of an {@code Authorization: Basic} header. */
    public String basicAuthorization() {
        return "Basic " + toBase64();
    }

    /**
     * The text with this secret, {@code base64(user:secret)} and every other secret the process knows
     * replaced by {@code ****} (for messages that quote other programs).
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text.replace(toBase64(), KnownSecrets.MASK).replace(secret, KnownSecrets.MASK);
        return KnownSecrets.redact(out);
    }

    @Override
    public String toString() {
        return "Credentials[user=" + username + ", secret=****]";
    }
}
