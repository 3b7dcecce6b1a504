package dev.kiln.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.layout.json.Json;
import dev.kiln.layout.KilnException;
import dev.kiln.layout.spec.Descriptor;
import dev.kiln.layout.transport.CopyListener;
import dev.kiln.layout.transport.CopyOptions;
import dev.kiln.layout.transport.CopyResult;
import dev.kiln.layout.transport.Copier;
import dev.kiln.layout.transport.ImageDestination;
import dev.kiln.layout.transport.ImageSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "copy", aliases = {"cp"}, sortOptions = false,
        description = {"Copy an image (every platform of an index) from SOURCE to DEST.",
            "Digests never change on a plain copy; --platform makes a new index holding only those platforms.",
            "This is how a layout is exported to an OCI archive or a `docker load` tarball."},
        footer = {"", "Examples:",
            "  kiln copy oci:out:1.0 oci-archive:hello.tar:1.0",
            "  kiln copy oci:out:1.0 docker-archive:hello.tar:example.com/hello:1.0",
            "  kiln copy --platform linux/arm64 oci:out:1.0 oci:arm-only:1.0",
            "  kiln copy docker-archive:saved.tar oci:bases:alpine",
            "  kiln copy --src-creds alice:pw --dest-creds bob:pw docker://a.example/x:1 docker://b.example/y:1",
            "",
            "Between two registries each side has its own --src-*/--dest-* options (plain --creds, --cert-dir,",
            "--insecure and --tls-verify are refused there); credentials never go to the other side. Within one",
            "registry, blobs are mounted from the source repository instead of uploaded again."})
class CopyCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    RegistryFlags registry;

    @Mixin
    SideRegistryFlags sides;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Copy only these platforms (comma-separated or repeated).")
    List<String> platforms = new ArrayList<>();

    @Option(names = {"-t", "--tag"}, paramLabel = "TAG", description = "Tag the copy with these tags too (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--include-nondistributable", description = "Also copy foreign / non-distributable layers.")
    boolean includeNondistributable;

    @Option(names = {"-j", "--jobs"}, defaultValue = "4", description = "Blobs copied at once (default ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--max-expanded-size", paramLabel = "SIZE", defaultValue = "64G",
            description = "Most bytes an archive being read may expand to, tar headers included (a gzipped archive "
                    + "could be a decompression bomb); K, M, G, T are powers of 1024 (default ${DEFAULT-VALUE}).")
    String maxExpandedSize;

    @Parameters(index = "0", paramLabel = "SOURCE")
    String source;

    @Parameters(index = "1", paramLabel = "DEST")
    String destination;

    /** Checks the references for push and pull; plain copy takes any. */
    void checkReferences() {
    }

    @Override
    public Integer call() throws IOException {
        checkReferences();
        if (jobs < 1 || jobs > 64) {
            throw new Failures.UsageException("--jobs must be between 1 and 64");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ForeignCount foreign = new ForeignCount(Progress.forCopy(err, common.json));
        CopyOptions options = CopyOptions.defaults()
                .withPlatforms(Sources.platforms(platforms))
                .withIncludeNondistributable(includeNondistributable)
                .withTags(tags)
                .withParallelism(jobs)
                .withListener(foreign);
        CopyResult result;
        var srcRef = Sources.parse(source);
        var destRef = Sources.parse(destination);
        SideRegistryFlags.Sides side = sides.resolve(registry, isRegistry(srcRef), isRegistry(destRef));
        // each side gets its own registry options (credentials, certificates, TLS); mount sources are shared
        var mounts = new dev.kiln.registry.MountCandidates();
        var mounted = new dev.kiln.registry.TransferSummary();
        var srcTransports = Sources.transports(registry.options(jobs, common.debug, err, side.source()), mounts);
        var destTransports = Sources.transports(registry.options(jobs, common.debug, err, side.destination())
                .withProgress(mounted), mounts);
        var sourceOptions = Sources.withLimit("--max-expanded-size", maxExpandedSize);
        java.nio.file.Path created = destRef.transport() == dev.kiln.layout.transport.ImageReference.Transport.OCI
                && !java.nio.file.Files.exists(References.path(destRef)) ? References.path(destRef) : null;
        boolean done = false;
        try (ImageSource src = Sources.source(source, srcTransports, sourceOptions);
             ImageDestination dst = Sources.destination(destination, destTransports)) {
            result = new Copier(options).copy(src, dst);
            done = true;
        } catch (RuntimeException | IOException e) {
            long kept = created == null || e instanceof Failures.UsageException || !fromRegistry() ? 0 : blobCount(created);
            if (kept > 0) {
                // a download is worth keeping: the layout holds whole, verified blobs and no tag, and a
                // rerun into it fetches only what is missing
                created = null;
                throw new KilnException(Failures.message(e) + "; the " + kept + " blob" + (kept == 1 ? "" : "s")
                        + " fetched so far stay in " + References.path(destRef) + " (no tag): run the command again to resume", e);
            }
            throw e;
        } finally {
            if (!done && created != null) {
                BuildCommand.deleteTree(created); // a failed copy leaves no new layout behind
            }
        }
        if (common.json) {
            ObjectNode o = Json.object();
            o.put("source", source);
            o.put("destination", destination);
            o.put("digest", result.root().digest().toString());
            o.put("mediaType", result.root().mediaType());
            o.put("sourceDigest", result.sourceRoot().digest().toString());
            o.put("blobsCopied", result.copied().size());
            o.put("blobsSkipped", result.skipped().size());
            o.put("blobsMounted", mounted.blobsMounted());
            o.put("foreignLayersLeftOut", foreign.leftOut + foreign.notInSource);
            o.put("bytesCopied", result.bytesCopied());
            out.println(Json.pretty(o));
        } else {
            Descriptor root = result.root();
            if (result.rootChanged()) {
                out.println("note: the copy holds a subset of the platforms, so its index is new: "
                        + result.sourceRoot().digest() + " -> " + root.digest());
            }
            int mountCount = mounted.blobsMounted();
            int present = result.skipped().size() - foreign.leftOut - foreign.notInSource - mountCount;
            out.println("copied " + source + " -> " + destination + " (" + root.digest() + "; "
                    + result.copied().size() + " blobs written, " + present + " already there"
                    + (mountCount == 0 ? "" : ", " + mountCount + " mounted from another repository")
                    + (foreign.leftOut == 0 ? "" : "; " + foreign.leftOut + " foreign layer" + (foreign.leftOut == 1 ? "" : "s")
                        + " referenced by url, not copied (--include-nondistributable copies them)")
                    + (foreign.notInSource == 0 ? "" : "; " + foreign.notInSource + " foreign layer"
                        + (foreign.notInSource == 1 ? " is" : "s are") + " not in the source, only referenced by url")
                    + ")");
        }
        return 0;
    }

    private static boolean isRegistry(dev.kiln.layout.transport.ImageReference ref) {
        return ref.transport() == dev.kiln.layout.transport.ImageReference.Transport.DOCKER;
    }

    private boolean fromRegistry() {
        try {
            return Sources.parse(source).transport() == dev.kiln.layout.transport.ImageReference.Transport.DOCKER;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Finished blobs of a layout (its temp files do not count). */
    private static long blobCount(java.nio.file.Path layout) {
        try (var files = java.nio.file.Files.walk(layout.resolve("blobs"))) {
            return files.filter(java.nio.file.Files::isRegularFile).count();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Counts the foreign layers a copy leaves out (for an honest summary line), passing every event on. */
    private static final class ForeignCount implements CopyListener {
        private final CopyListener inner;
        int leftOut;
        int notInSource;

        ForeignCount(CopyListener inner) {
            this.inner = inner;
        }

        @Override
        public void blobStarted(Descriptor blob) {
            inner.blobStarted(blob);
        }

        @Override
        public void blobProgress(Descriptor blob, long bytesSoFar) {
            inner.blobProgress(blob, bytesSoFar);
        }

        @Override
        public void blobDone(Descriptor blob, long bytes) {
            inner.blobDone(blob, bytes);
        }

        @Override
        public synchronized void blobSkipped(Descriptor blob, SkipReason reason) {
            if (reason == SkipReason.NONDISTRIBUTABLE) {
                leftOut++;
            } else if (reason == SkipReason.NOT_IN_SOURCE) {
                notInSource++;
            }
            inner.blobSkipped(blob, reason);
        }

        @Override
        public void rootChanged(Descriptor sourceRoot, Descriptor newRoot) {
            inner.rootChanged(sourceRoot, newRoot);
        }
    }
}
