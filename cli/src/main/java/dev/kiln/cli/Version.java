package dev.kiln.cli;

import picocli.CommandLine;

/** The version line of {@code kiln --version}. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Kiln.class.getPackage().getImplementationVersion();
        return new String[] {"kiln " + (v == null ? "0.1.0-dev" : v) + " (Java " + Runtime.version() + ")"};
    }
}
