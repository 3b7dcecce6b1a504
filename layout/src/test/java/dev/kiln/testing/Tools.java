package dev.kiln.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Thin helpers for the peer tools that need no state: skopeo, umoci, oci-schema-check. */
public final class Tools {
    private Tools() {}

    /** {@code TOOL ARGS} after checking TOOL is installed. */
    public static Proc tool(String tool, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Peers.require(tool).toString()));
        cmd.addAll(List.of(args));
        return Proc.of(cmd);
    }

    /** {@code skopeo --insecure-policy ARGS} (no dependence on the machine's policy.json). */
    public static Proc.Result skopeo(String... args) {
        List<String> all = new ArrayList<>(List.of("--insecure-policy"));
        all.addAll(List.of(args));
        return tool("skopeo", all.toArray(String[]::new)).run();
    }

    /** {@code umoci ARGS}, e.g. {@code umoci("unpack", "--rootless", "--image", dir + ":tag", bundle)}. */
    public static Proc.Result umoci(String... args) {
        return tool("umoci", args).run();
    }

    /** scripts/oci-schema-check LAYOUT: the OCI schemas plus digest, size and mediaType checks. */
    public static Proc.Result schemaCheck(Path layout) {
        Peers.require("/usr/bin/python3");
        return Proc.of(Peers.script("oci-schema-check").toString(), layout.toString()).run();
    }

    /** Fails, with every problem listed, unless LAYOUT passes scripts/oci-schema-check. */
    public static void assertSchemaValid(Path layout) {
        schemaCheck(layout).assertOk();
    }
}
