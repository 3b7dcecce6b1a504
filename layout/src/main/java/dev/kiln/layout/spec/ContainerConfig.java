package dev.kiln.layout.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.JsonFields;
import dev.kiln.layout.json.JsonWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The execution parameters of an image ({@code config} inside the image config). Lists keep the
 * difference between absent (null) and empty, as Docker does for Cmd and Entrypoint.
 */
public record ContainerConfig(String user, List<String> exposedPorts, List<String> env, List<String> entrypoint,
                              List<String> cmd, List<String> volumes, String workingDir, Map<String, String> labels,
                              String stopSignal, Boolean argsEscaped, HealthCheck healthcheck, List<String> shell,
                              List<String> onBuild, ObjectNode extra) {
    public ContainerConfig {
        exposedPorts = sortedOrNull(exposedPorts);
        env = env == null ? null : List.copyOf(env);
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        cmd = cmd == null ? null : List.copyOf(cmd);
        volumes = sortedOrNull(volumes);
        labels = labels == null ? null : Collections.unmodifiableMap(new TreeMap<>(labels));
        shell = shell == null ? null : List.copyOf(shell);
        onBuild = onBuild == null ? null : List.copyOf(onBuild);
        extra = extra == null || extra.isEmpty() ? null : extra.deepCopy();
    }

    public static ContainerConfig empty() {
        return new Builder().build();
    }

    private static List<String> sortedOrNull(List<String> values) {
        return values == null ? null : values.stream().distinct().sorted().toList();
    }

    @Override
    public ObjectNode extra() {
        return extra == null ? null : extra.deepCopy();
    }

    /** Env as an ordered map (later entries win), for lookups and merging. */
    public Map<String, String> envMap() {
        Map<String, String> map = new LinkedHashMap<>();
        if (env != null) {
            for (String e : env) {
                int eq = e.indexOf('=');
                map.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
            }
        }
        return map;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static ContainerConfig fromJson(JsonNode node, String where) {
        JsonFields f = new JsonFields(node, where);
        JsonNode hc = f.raw("Healthcheck");
        return new ContainerConfig(f.string("User"), f.keySet("ExposedPorts"), f.strings("Env"),
                f.strings("Entrypoint"), f.strings("Cmd"), f.keySet("Volumes"), f.string("WorkingDir"),
                f.stringMap("Labels"), f.string("StopSignal"), f.bool("ArgsEscaped"),
                hc == null ? null : HealthCheck.fromJson(hc, f.where("Healthcheck")), f.strings("Shell"),
                f.strings("OnBuild"), f.rest());
    }

    public ObjectNode toJson() {
        return new JsonWriter()
                .put("User", user)
                .keySet("ExposedPorts", exposedPorts)
                .strings("Env", env)
                .strings("Entrypoint", entrypoint)
                .strings("Cmd", cmd)
                .keySet("Volumes", volumes)
                .put("WorkingDir", workingDir)
                .stringMap("Labels", labels)
                .put("StopSignal", stopSignal)
                .put("ArgsEscaped", argsEscaped)
                .put("Healthcheck", healthcheck == null ? null : healthcheck.toJson())
                .strings("Shell", shell)
                .strings("OnBuild", onBuild)
                .rest(extra)
                .build();
    }

    /** A mutable builder for the builder module's instructions. */
    public static final class Builder {
        public String user;
        public List<String> exposedPorts;
        public List<String> env;
        public List<String> entrypoint;
        public List<String> cmd;
        public List<String> volumes;
        public String workingDir;
        public Map<String, String> labels;
        public String stopSignal;
        public Boolean argsEscaped;
        public HealthCheck healthcheck;
        public List<String> shell;
        public List<String> onBuild;
        public ObjectNode extra;

        public Builder() {
        }

        Builder(ContainerConfig c) {
            user = c.user;
            exposedPorts = c.exposedPorts;
            env = c.env;
            entrypoint = c.entrypoint;
            cmd = c.cmd;
            volumes = c.volumes;
            workingDir = c.workingDir;
            labels = c.labels;
            stopSignal = c.stopSignal;
            argsEscaped = c.argsEscaped;
            healthcheck = c.healthcheck;
            shell = c.shell;
            onBuild = c.onBuild;
            extra = c.extra;
        }

        public ContainerConfig build() {
            return new ContainerConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels,
                    stopSignal, argsEscaped, healthcheck, shell, onBuild, extra);
        }
    }
}
