package dev.kiln.cli;

import dev.kiln.layout.Hint;
import dev.kiln.layout.KilnException;
import dev.kiln.registry.auth.KnownSecrets;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * The one place that turns failures into exit codes and one-line messages: 1 for a failed
 * operation, 2 for bad usage. Stack traces only with {@code --debug}. Every secret the process knows
 * (passwords, their base64 forms, tokens) is redacted from what it prints.
 */
final class Failures implements CommandLine.IExecutionExceptionHandler {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    /** A failure whose message is already complete. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean debug = parsed != null && isDebug(parsed);
        Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        if (t instanceof UsageException || t instanceof IllegalArgumentException && !(t instanceof NumberFormatException)) {
            err.println("kiln: " + KnownSecrets.redact(oneLine(t.getMessage())));
            printTrace(err, debug, t);
            return USAGE;
        }
        err.println("kiln: " + KnownSecrets.redact(message(t)));
        printTrace(err, debug, t);
        return FAILED;
    }

    static int usage(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("kiln: " + oneLine(ex.getMessage()));
        err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
        return USAGE;
    }

    static int exitCode(Throwable t) {
        return t instanceof UsageException ? USAGE : FAILED;
    }

    /** The one-line message of a failure, with what to do about it when the library gave a hint. */
    static String message(Throwable t) {
        String m = bareMessage(t);
        Hint hint = KilnException.hintOf(t);
        String advice = hint == null ? null : advice(hint);
        return advice == null || m.contains(advice) ? m : m + "; " + advice;
    }

    /** The library's hints in the command line's words: the commands and flags that exist. */
    static String advice(Hint hint) {
        return switch (hint) {
            case CONVERT_SCHEMA1 -> "convert it first, e.g. with skopeo copy --format v2s2 to a registry, or with"
                    + " skopeo copy to an oci: layout (which writes OCI)";
            case DOCKER_MEDIA_TYPES -> "build the image with Docker media types: kiln build --format docker";
            case AMBIGUOUS_TAG -> "remove the tag from all of them with kiln tag --delete oci:DIR:TAG, then copy or"
                    + " build the image you want under that tag again";
        };
    }

    private static String bareMessage(Throwable t) {
        if (isDiskFull(t)) {
            return DISK_FULL;
        }
        if (t instanceof KilnException) {
            return oneLine(t.getMessage());
        }
        if (t instanceof NoSuchFileException e) {
            return e.getFile() + ": no such file or directory";
        }
        if (t instanceof AccessDeniedException e) {
            return e.getFile() + ": permission denied";
        }
        if (t instanceof FileSystemException e) {
            return oneLine((e.getFile() == null ? "" : e.getFile() + ": ") + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason()));
        }
        if (t instanceof IOException) {
            String m = t.getMessage();
            return oneLine(m == null ? t.getClass().getSimpleName() : m);
        }
        if (t instanceof OutOfMemoryError) {
            return "out of memory";
        }
        String m = t.getMessage();
        return "internal error: " + t.getClass().getSimpleName() + (m == null ? "" : ": " + oneLine(m))
                + " (run with --debug and report it)";
    }

    static final String DISK_FULL = "no space left on device; nothing was committed (the layout still holds what it held before)";

    /**
     * ENOSPC anywhere in the cause chain: a plain IOException from a write, a FileSystemException
     * from creating a file, or either wrapped by the layer, build or copy code.
     */
    static boolean isDiskFull(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            String m = t instanceof FileSystemException f ? f.getReason() : t.getMessage();
            if (t instanceof IOException && m != null && m.contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        // one line, and no control characters a hostile name could use on a terminal (NUL, ESC sequences)
        return s.replaceAll("[\\r\\n]+\\s*", " ").trim().replaceAll("[\\p{Cntrl}\\u0080-\\u009f]", "?");
    }

    private static boolean isDebug(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** With --debug, the stack trace, redacted as the message is (causes may quote a registry or a JDK message with a URL). */
    private static void printTrace(PrintWriter err, boolean debug, Throwable t) {
        if (debug) {
            java.io.StringWriter trace = new java.io.StringWriter();
            t.printStackTrace(new PrintWriter(trace));
            err.print(KnownSecrets.redact(trace.toString()));
            err.flush();
        }
    }
}
