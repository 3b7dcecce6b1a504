package dev.kiln.builder.recipe;

import dev.kiln.layout.spec.HealthCheck;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One recipe instruction with its variables expanded, its 1-based source {@link #line()} and its
 * source {@link #text()} (continuations joined, trimmed; what Docker shows in history). FROM
 * starts a {@link Stage}; the other records are the stage's instructions. RUN does not exist: the
 * parser refuses it.
 */
public sealed interface Instruction {
    int line();

    String text();

    /** {@code FROM [--platform=P] image [AS name]}: image and platform expanded with global ARGs. */
    record From(int line, String text, String image, String platform, String stageName) implements Instruction {
        public From {
            Objects.requireNonNull(image, "image");
        }
    }

    /**
     * {@code COPY}: sources and destination as written after expansion, {@code --from} as given
     * (a stage name, a stage index or an image reference; null when absent), {@code --chown} user
     * and optional group (null when absent), {@code --chmod} (octal or symbolic; null when absent),
     * {@code --link}.
     */
    record Copy(int line, String text, List<String> sources, String destination, String from, String chown,
                Chmod chmod, boolean link) implements Instruction {
        public Copy {
            sources = List.copyOf(sources);
            Objects.requireNonNull(destination, "destination");
        }
    }

    /**
     * {@code ADD}: like COPY, plus {@code --checksum} (null when absent), {@code --keep-git-dir}
     * and {@code --unpack} (null when not given, so the builder applies Docker's default).
     */
    record Add(int line, String text, List<String> sources, String destination, String chown, Chmod chmod,
               boolean link, String checksum, boolean keepGitDir, Boolean unpack) implements Instruction {
        public Add {
            sources = List.copyOf(sources);
            Objects.requireNonNull(destination, "destination");
        }
    }

    /** {@code ENV}: the variables set, in order (values expanded against the environment before it). */
    record Env(int line, String text, Map<String, String> variables) implements Instruction {
        public Env {
            variables = ordered(variables);
        }
    }

    /** {@code ARG}: each declared name and its resolved value, null when it has none. */
    record Arg(int line, String text, Map<String, String> values) implements Instruction {
        public Arg {
            values = ordered(values);
        }
    }

    /** {@code LABEL}: the labels, in order. */
    record Label(int line, String text, Map<String, String> labels) implements Instruction {
        public Label {
            labels = ordered(labels);
        }
    }

    record Workdir(int line, String text, String path) implements Instruction {
    }

    record User(int line, String text, String user) implements Instruction {
    }

    record Entrypoint(int line, String text, CommandLine command) implements Instruction {
    }

    record Cmd(int line, String text, CommandLine command) implements Instruction {
    }

    /** {@code EXPOSE}: ports normalized to {@code port/proto} ({@code 80/tcp}), ranges expanded. */
    record Expose(int line, String text, List<String> ports) implements Instruction {
        public Expose {
            ports = List.copyOf(ports);
        }
    }

    record Volume(int line, String text, List<String> paths) implements Instruction {
        public Volume {
            paths = List.copyOf(paths);
        }
    }

    record StopSignal(int line, String text, String signal) implements Instruction {
    }

    /**
     * {@code HEALTHCHECK}: {@code test} is {@code ["NONE"]}, {@code ["CMD", args...]} (exec form) or
     * {@code ["CMD-SHELL", command]}; durations in nanoseconds and retries are null when not given.
     */
    record Healthcheck(int line, String text, List<String> test, Long interval, Long timeout, Long startPeriod,
                       Long startInterval, Integer retries) implements Instruction {
        public Healthcheck {
            test = List.copyOf(test);
        }

        public boolean disabled() {
            return test.size() == 1 && test.get(0).equals("NONE");
        }

        /** The image-config form. */
        public HealthCheck toConfig() {
            return new HealthCheck(test, interval, timeout, startPeriod, startInterval,
                    retries == null ? null : retries.longValue(), null);
        }
    }

    /** {@code SHELL}: always exec form. */
    record Shell(int line, String text, List<String> shell) implements Instruction {
        public Shell {
            shell = List.copyOf(shell);
        }
    }

    /** {@code ONBUILD}: the trigger as written (e.g. {@code COPY . /app}), recorded; run by a stage built on this one. */
    record Onbuild(int line, String text, String trigger) implements Instruction {
    }

    /** {@code MAINTAINER} (deprecated): the name as written, not expanded. */
    record Maintainer(int line, String text, String name) implements Instruction {
    }

    /**
     * The arguments of CMD, ENTRYPOINT or a HEALTHCHECK: exec form (a JSON array, kept as is) or
     * shell form (one string, kept as written with {@code $} literal; empty list for a bare CMD).
     */
    record CommandLine(List<String> arguments, boolean execForm) {
        public CommandLine {
            arguments = List.copyOf(arguments);
        }

        /** The argv the image config stores: exec form as is; shell form after {@code shell}. */
        public List<String> withShell(List<String> shell) {
            if (execForm) {
                return arguments;
            }
            List<String> out = new ArrayList<>(shell);
            out.add(String.join(" ", arguments));
            return List.copyOf(out);
        }
    }

    private static <V> Map<String, V> ordered(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
