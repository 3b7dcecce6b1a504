package dev.kiln.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Docker {@code config.json} or containers {@code auth.json}: {@code auths} (base64
 * {@code auth}, or {@code username}/{@code password}, or {@code identitytoken}), {@code credsStore}
 * and {@code credHelpers}. Reading keeps unknown fields so that {@link #store} and {@link #erase}
 * (what {@code login} and {@code logout} do) change only the one entry; the file is replaced
 * atomically with mode 0600.
 */
public final class DockerConfigFile {
    private final Path file;
    private final ObjectNode root;

    private DockerConfigFile(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    /** Reads a config file; a missing file reads as empty. */
    public static DockerConfigFile read(Path file) {
        byte[] bytes;
        try {
            bytes = dev.kiln.layout.SmallFiles.read(file, 1024 * 1024);
        } catch (NoSuchFileException e) {
            return new DockerConfigFile(file, Json.object());
        } catch (IOException e) {
            throw new CredentialsException(file + ": cannot read: " + e.getMessage());
        }
        if (bytes.length == 0 || new String(bytes, StandardCharsets.UTF_8).isBlank()) {
            return new DockerConfigFile(file, Json.object());
        }
        try {
            return new DockerConfigFile(file, Json.parseObject(bytes, file.toString()));
        } catch (KilnException e) {
            // the JSON parser may quote the text it failed on, and the text holds secrets
            throw new CredentialsException(file + ": not a valid JSON credentials file");
        }
    }

    public Path file() {
        return file;
    }

    /** The {@code credsStore} helper name, or null. */
    public String credsStore() {
        JsonNode n = root.get("credsStore");
        return n != null && n.isTextual() && !n.textValue().isEmpty() ? n.textValue() : null;
    }

    /** The helper named in {@code credHelpers} for a registry, or null. */
    public String credHelper(String registry) {
        JsonNode helpers = root.get("credHelpers");
        if (helpers == null || !helpers.isObject()) {
            return null;
        }
        String want = RegistryKeys.normalize(registry);
        for (Map.Entry<String, JsonNode> e : helpers.properties()) {
            if (RegistryKeys.normalize(e.getKey()).equals(want) && e.getValue().isTextual()) {
                return e.getValue().textValue();
            }
        }
        return null;
    }

    /**
     * The credentials this file gives for a repository of a registry: its {@code credHelpers} entry,
     * else the most specific {@code auths} entry ({@code host/ns/repo} before {@code host}), else the
     * {@code credsStore} helper.
     */
    public Optional<Credentials> find(String registry, String repository, AuthEnvironment environment) {
        String helper = credHelper(registry);
        if (helper != null) {
            Optional<Credentials> c = new CredentialHelper(helper, environment).get(RegistryKeys.serverUrl(registry));
            if (c.isPresent()) {
                return c;
            }
        }
        Optional<Credentials> fromAuths = fromAuths(registry, repository);
        if (fromAuths.isPresent()) {
            return fromAuths;
        }
        String store = credsStore();
        if (store != null && helper == null) {
            return new CredentialHelper(store, environment).get(RegistryKeys.serverUrl(registry));
        }
        return Optional.empty();
    }

    private Optional<Credentials> fromAuths(String registry, String repository) {
        JsonNode auths = root.get("auths");
        if (auths == null || !auths.isObject()) {
            return Optional.empty();
        }
        String host = RegistryKeys.normalize(registry);
        List<String> wanted = new ArrayList<>();
        if (repository != null && !repository.isEmpty()) {
            String[] parts = repository.split("/");
            for (int i = parts.length; i >= 1; i--) {
                wanted.add(host + "/" + String.join("/", java.util.Arrays.copyOf(parts, i)));
            }
        }
        wanted.add(host);
        for (String key : wanted) {
            for (Map.Entry<String, JsonNode> e : auths.properties()) {
                if (RegistryKeys.normalize(e.getKey()).equals(key)) {
                    Optional<Credentials> c = entry(e.getValue(), file + ": auths[\"" + e.getKey() + "\"]");
                    if (c.isPresent()) {
                        return c;
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<Credentials> entry(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        String identityToken = text(node, "identitytoken");
        if (identityToken != null) {
            return Optional.of(new Credentials(Credentials.IDENTITY_TOKEN_USER, identityToken));
        }
        String auth = text(node, "auth");
        if (auth != null) {
            return Optional.of(Credentials.fromBase64(auth, where));
        }
        String user = text(node, "username");
        String password = text(node, "password");
        if (user != null && password != null) {
            return Optional.of(new Credentials(user, password));
        }
        return Optional.empty();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.textValue().isEmpty() ? v.textValue() : null;
    }

    /**
     * Saves credentials for a registry in the Docker config file (what {@code docker login} does):
     * through the registry's credential helper or {@code credsStore} when one is configured (leaving
     * an empty {@code auths} entry, as Docker does), else as a base64 {@code auth} entry.
     */
    public static void store(AuthEnvironment environment, String registry, Credentials credentials) {
        Path file = environment.dockerConfigFile();
        DockerConfigFile config = read(file);
        String key = RegistryKeys.serverUrl(registry);
        String helper = config.credHelper(registry);
        if (helper == null) {
            helper = config.credsStore();
        }
        ObjectNode auths = config.auths(true);
        removeEntries(auths, registry);
        ObjectNode entry = auths.putObject(key);
        if (helper != null) {
            new CredentialHelper(helper, environment).store(key, credentials);
        } else {
            entry.put("auth", credentials.toBase64());
        }
        config.write();
    }

    /**
     * Removes a registry's credentials (what {@code docker logout} does): its {@code auths} entries
     * and, when a helper is configured, the helper's copy. Returns false when there were none.
     */
    public static boolean erase(AuthEnvironment environment, String registry) {
        Path file = environment.dockerConfigFile();
        DockerConfigFile config = read(file);
        boolean removed = false;
        ObjectNode auths = config.auths(false);
        if (auths != null) {
            removed = removeEntries(auths, registry);
        }
        String helper = config.credHelper(registry);
        if (helper == null) {
            helper = config.credsStore();
        }
        if (helper != null) {
            removed |= new CredentialHelper(helper, environment).erase(RegistryKeys.serverUrl(registry));
        }
        if (removed && Files.exists(file)) {
            config.write();
        }
        return removed;
    }

    private ObjectNode auths(boolean create) {
        JsonNode auths = root.get("auths");
        if (auths != null && auths.isObject()) {
            return (ObjectNode) auths;
        }
        return create ? root.putObject("auths") : null;
    }

    private static boolean removeEntries(ObjectNode auths, String registry) {
        String want = RegistryKeys.normalize(registry);
        boolean removed = false;
        for (Iterator<String> it = auths.fieldNames(); it.hasNext(); ) {
            if (RegistryKeys.normalize(it.next()).equals(want)) {
                it.remove();
                removed = true;
            }
        }
        return removed;
    }

    /** Replaces the file atomically: a 0600 temp file in the same folder, synced, then renamed. */
    private void write() {
        Path target = file;
        try {
            if (Files.isSymbolicLink(target)) {
                target = target.toRealPath();
            }
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = createPrivateTemp(dir, target.getFileName().toString());
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                     OutputStream out = Channels.newOutputStream(ch)) {
                    out.write((Json.pretty(root) + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    ch.force(true);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CredentialsException(file + ": cannot write: " + e.getMessage());
        }
    }

    private static Path createPrivateTemp(Path dir, String name) throws IOException {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        for (int i = 0; ; i++) {
            Path tmp = dir.resolve("." + name + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            try {
                if (posix) {
                    FileAttribute<?> mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
                    return Files.createFile(tmp, mode);
                }
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (i > 10) {
                    throw e;
                }
            }
        }
    }

    @Override
    public String toString() {
        return "DockerConfigFile[" + file + "]";
    }
}
