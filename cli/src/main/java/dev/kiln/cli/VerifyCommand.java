package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.oci.OciLayout;
import dev.kiln.layout.oci.Problem;
import dev.kiln.layout.oci.Verifier;
import dev.kiln.layout.oci.VerifyReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", sortOptions = false,
        description = {"Check a layout: every blob reachable from index.json present, with the right size and digest;",
            "JSON that parses; known media types; history consistent with layers; with --deep, every",
            "layer decompressed and checked against the config's diff_ids. Reports every problem.",
            "Foreign (non-distributable) layers that are not stored are listed as external, not as problems."},
        footer = {"", "Examples:", "  kiln verify oci:out", "  kiln verify --deep --json out"})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--deep", description = "Also decompress every layer and check its diff_id.")
    boolean deep;

    @Parameters(paramLabel = "LAYOUT", description = "oci:DIR or a layout folder.")
    String layout;

    @Override
    public Integer call() throws IOException {
        var ref = References.parseLocal(layout);
        if (ref.transport() != dev.kiln.layout.transport.ImageReference.Transport.OCI) {
            throw new Failures.UsageException("verify works on layouts (oci:DIR)");
        }
        var root = References.path(ref);
        if (!Files.isDirectory(root)) {
            throw new dev.kiln.layout.oci.LayoutException(root + ": no such OCI layout directory");
        }
        VerifyReport report = new Verifier(root, deep).verify();
        PrintWriter out = spec.commandLine().getOut();
        if (common.json) {
            ObjectNode o = Json.object();
            o.put("ok", report.ok());
            o.put("deep", deep);
            o.put("blobsChecked", report.blobsChecked());
            o.put("bytesRead", report.bytesRead());
            ArrayNode problems = o.putArray("problems");
            report.problems().forEach(p -> problems.add(p.toString()));
            ArrayNode warnings = o.putArray("warnings");
            report.warnings().forEach(p -> warnings.add(p.toString()));
            ArrayNode external = o.putArray("external");
            report.externalBlobs().forEach(e -> external.add(e.toString()));
            out.println(Json.pretty(o));
        } else {
            for (Problem p : report.problems()) {
                out.println("problem: " + Failures.oneLine(p.toString()));
            }
            for (Problem p : report.warnings()) {
                out.println("warning: " + Failures.oneLine(p.toString()));
            }
            for (VerifyReport.External e : report.externalBlobs()) {
                out.println("external: " + Failures.oneLine(e.toString()));
            }
            out.println((report.ok() ? "ok: " : "FAILED: ") + report.summary());
        }
        if (!report.ok()) {
            // the report is on stdout; stderr gets the one line every failed command prints
            int n = report.problems().size();
            spec.commandLine().getErr().println("kiln: " + layout + ": " + n + (n == 1 ? " problem" : " problems")
                    + (n == 0 ? "" : "; the first: " + Failures.oneLine(report.problems().get(0).toString())));
        }
        return report.ok() ? 0 : 1;
    }

}
