package dev.kiln.builder.image;

import dev.kiln.layout.spec.ContainerConfig;
import dev.kiln.layout.spec.HealthCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Applies recipe instructions to an image's execution config with Docker's semantics: ENV and
 * LABEL merge, ENTRYPOINT resets an inherited CMD, shell forms run through SHELL, WORKDIR resolves
 * against the current one.
 */
public final class ConfigEditor {
    static final List<String> LINUX_SHELL = List.of("/bin/sh", "-c");
    static final List<String> WINDOWS_SHELL = List.of("cmd", "/S", "/C");

    private final ContainerConfig.Builder c;
    private final boolean windows;
    private boolean cmdSetInStage;

    public ConfigEditor(ContainerConfig base, boolean windows) {
        this.c = base.toBuilder();
        this.windows = windows;
    }

    public ContainerConfig result() {
        return c.build();
    }

    /** The current environment, for variable expansion in later instructions. */
    public Map<String, String> env() {
        Map<String, String> map = new LinkedHashMap<>();
        if (c.env != null) {
            for (String e : c.env) {
                int eq = e.indexOf('=');
                map.put(eq < 0 ? e : e.substring(0, eq), eq < 0 ? "" : e.substring(eq + 1));
            }
        }
        return map;
    }

    public String workingDir() {
        return c.workingDir;
    }

    public String user() {
        return c.user;
    }

    public void env(Map<String, String> values) {
        Map<String, String> merged = env();
        merged.putAll(values);
        List<String> out = new ArrayList<>();
        merged.forEach((k, v) -> out.add(k + "=" + v));
        c.env = out;
    }

    public void labels(Map<String, String> values) {
        Map<String, String> merged = c.labels == null ? new LinkedHashMap<>() : new LinkedHashMap<>(c.labels);
        merged.putAll(values);
        c.labels = merged;
    }

    /** Sets WORKDIR (relative paths resolve against the current one) and returns the absolute path. */
    public String workdir(String path) {
        String resolved = resolve(c.workingDir, path, windows);
        c.workingDir = resolved;
        return resolved;
    }

    static String resolve(String current, String path, boolean windows) {
        if (windows) {
            String p = path.replace('/', '\\');
            if (p.matches("(?i)[a-z]:\\\\.*") || p.startsWith("\\")) {
                return p;
            }
            String base = current == null || current.isEmpty() ? "C:\\" : current;
            return base.endsWith("\\") ? base + p : base + "\\" + p;
        }
        String joined = path.startsWith("/") ? path : (current == null || current.isEmpty() ? "/" : current) + "/" + path;
        return clean(joined);
    }

    /** Cleans an absolute Unix path: no {@code .}, {@code ..} or double slashes. */
    static String clean(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else {
                parts.add(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    public void user(String user) {
        c.user = user;
    }

    public void stopSignal(String signal) {
        c.stopSignal = signal;
    }

    public void expose(List<String> ports) {
        LinkedHashSet<String> all = new LinkedHashSet<>(c.exposedPorts == null ? List.of() : c.exposedPorts);
        all.addAll(ports);
        c.exposedPorts = new ArrayList<>(all);
    }

    public void volumes(List<String> paths) {
        LinkedHashSet<String> all = new LinkedHashSet<>(c.volumes == null ? List.of() : c.volumes);
        all.addAll(paths);
        c.volumes = new ArrayList<>(all);
    }

    /** ENTRYPOINT; an inherited CMD is reset unless CMD was set earlier in this stage. */
    public void entrypoint(List<String> args, boolean shellForm) {
        c.entrypoint = shellForm ? withShell(args) : args;
        if (!cmdSetInStage) {
            c.cmd = null;
        }
    }

    public void cmd(List<String> args, boolean shellForm) {
        c.cmd = shellForm ? withShell(args) : args;
        cmdSetInStage = true;
    }

    /**
     * Docker's {@code ArgsEscaped} after a CMD: BuildKit sets it on every CMD, exec or shell form, on
     * every OS (dockerfile2llb's dispatchCmd), and never clears it. Only Windows engines read it: a
     * shell-form command is one command line for cmd.exe ({@code cmd /S /C echo "hi"}) to be passed
     * as it is, not quoted argument by argument. Linux engines ignore it (Docker's API calls it
     * Windows-specific; containerd's CRI uses it only on Windows).
     */
    public void cmdArgsEscaped() {
        c.argsEscaped = Boolean.TRUE;
    }

    /**
     * ArgsEscaped after an ENTRYPOINT: BuildKit leaves it as it was. A shell-form ENTRYPOINT of a
     * Windows image gets it, as Docker's classic builder gives it, because without it the Windows
     * engine quotes the cmd.exe command line again ({@code echo "hi"} would print {@code \"hi\"}).
     */
    public void entrypointArgsEscaped(boolean shellForm) {
        if (windows && shellForm) {
            c.argsEscaped = Boolean.TRUE;
        }
    }

    public void shell(List<String> shell) {
        c.shell = shell;
    }

    public void healthcheck(HealthCheck check) {
        c.healthcheck = check;
    }

    /** The ONBUILD triggers the config holds (a stage built on this image runs them). */
    public List<String> onBuildTriggers() {
        return c.onBuild == null ? List.of() : List.copyOf(c.onBuild);
    }

    /** Clears the triggers: they ran in this stage and do not carry over (BuildKit). */
    public void clearOnBuild() {
        c.onBuild = null;
    }

    public void onBuild(String trigger) {
        List<String> all = new ArrayList<>(c.onBuild == null ? List.of() : c.onBuild);
        all.add(trigger);
        c.onBuild = all;
    }

    /** Shell form: the command line as one argument of the SHELL (default /bin/sh -c, or cmd /S /C). */
    List<String> withShell(List<String> args) {
        List<String> shell = c.shell != null ? c.shell : windows ? WINDOWS_SHELL : LINUX_SHELL;
        List<String> out = new ArrayList<>(shell);
        out.add(String.join(" ", args));
        return out;
    }

    public List<String> currentShell() {
        return c.shell != null ? c.shell : windows ? WINDOWS_SHELL : LINUX_SHELL;
    }
}
