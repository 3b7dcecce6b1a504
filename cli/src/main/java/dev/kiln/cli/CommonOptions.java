package dev.kiln.cli;

import picocli.CommandLine.Option;

/** Options every subcommand takes. */
final class CommonOptions {
    @Option(names = "--json", description = "Print machine-readable JSON instead of text.")
    boolean json;

    @Option(names = "--debug", description = "Show stack traces of errors, and each registry request (secrets redacted).")
    boolean debug;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;
}
