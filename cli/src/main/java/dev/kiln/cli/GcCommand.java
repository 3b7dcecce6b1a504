package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.oci.GarbageCollector;
import dev.kiln.layout.oci.GcReport;
import dev.kiln.layout.oci.OciLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "gc", sortOptions = false,
        description = {"Delete the blobs of a layout that nothing in index.json reaches, and stale temporary files.",
            "Waits for builds and copies writing into the layout; refuses when a reachable manifest is unreadable."},
        footer = {"", "Examples:", "  kiln gc oci:out", "  kiln gc --dry-run out"})
final class GcCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = {"-n", "--dry-run"}, description = "Only print what would be deleted.")
    boolean dryRun;

    @Parameters(paramLabel = "LAYOUT", description = "oci:DIR or a layout folder.")
    String layout;

    @Override
    public Integer call() throws IOException {
        OciLayout oci = References.openLayout(layout);
        GcReport report = new GarbageCollector(oci).collect(dryRun);
        PrintWriter out = spec.commandLine().getOut();
        if (common.json) {
            ObjectNode o = Json.object();
            o.put("dryRun", dryRun);
            ArrayNode removed = o.putArray("removed");
            report.removed().forEach(d -> removed.add(d.toString()));
            o.put("bytesFreed", report.bytesFreed());
            o.put("tempFilesRemoved", report.tempFilesRemoved().size());
            o.put("blobsKept", report.blobsKept());
            out.println(Json.pretty(o));
        } else {
            report.removed().forEach(d -> out.println((dryRun ? "would remove " : "removed ") + d));
            out.println(report.summary());
        }
        return 0;
    }
}
