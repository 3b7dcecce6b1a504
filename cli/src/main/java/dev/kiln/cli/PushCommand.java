package dev.kiln.cli;

import picocli.CommandLine.Command;

@Command(name = "push", sortOptions = false,
        description = {"Copy a whole image (every platform, then the index, then the tags) to a registry.",
            "The same as `kiln copy SOURCE docker://...`; children are pushed before parents, each blob once."},
        footer = {"", "Examples:",
            "  kiln push oci:out:1.0 docker://registry.example.com/hello:1.0",
            "  kiln push oci-archive:hello.tar:1.0 docker://127.0.0.1:5000/hello:1.0 -t latest",
            "  kiln push --creds alice:secret --cert-dir certs oci:out:1.0 docker://registry.example.com:5443/hello:1.0",
            "",
            "Credentials are looked up per host when not given (see kiln login). A push from one registry to",
            "another takes --src-creds/--dest-creds and the other --src-*/--dest-* options, as kiln copy does."})
final class PushCommand extends CopyCommand {
    @Override
    void checkReferences() {
        if (!destination.startsWith("docker://")) {
            throw new Failures.UsageException("push sends to a registry: DEST must be docker://HOST/REPO[:TAG] (use kiln copy for local destinations)");
        }
    }
}
