package dev.kiln.cli;

import picocli.CommandLine.Command;

@Command(name = "pull", sortOptions = false,
        description = {"Copy a whole image from a registry into a layout or archive, verifying every digest while",
            "streaming. An interrupted pull leaves a valid layout; running it again fetches only what is missing."},
        footer = {"", "Examples:",
            "  kiln pull docker://registry.example.com/hello:1.0 oci:mirror:hello-1.0",
            "  kiln pull --platform linux/arm64 docker://127.0.0.1:5000/hello:1.0 oci-archive:hello-arm64.tar:1.0",
            "  kiln pull --src-creds alice:secret docker://registry.example.com/private:1.0 oci:mirror:private-1.0"})
final class PullCommand extends CopyCommand {
    @Override
    void checkReferences() {
        if (!source.startsWith("docker://")) {
            throw new Failures.UsageException("pull reads from a registry: SOURCE must be docker://HOST/REPO[:TAG|@DIGEST] (use kiln copy for local sources)");
        }
    }
}
