#!/usr/bin/env python3
"""bench/report.py: turns bench/run's raw measurements into the table, the JSON and the Markdown.

  report.py full WORKDIR OUT_JSON OUT_MD      reads WORKDIR/raw.tsv, meta.json, startup.json
  report.py memory WORKDIR OUT_JSON OUT_MD    reads WORKDIR/memory.tsv, memory-meta.json; writes
                                              OUT_JSON (memory.json) and re-renders OUT_MD
  report.py render - LATEST_JSON OUT_MD        re-renders OUT_MD from LATEST_JSON (and memory.json
                                              beside it), e.g. after editing observations.md
Only the standard library. The table goes to stdout; targets are reported PASS/MISS, never fail.
"""
import json
import os
import statistics
import sys

MB = 1e6  # MB/s and sizes are decimal megabytes

# id -> (label, what the MB/s is computed on: "context" or "image")
CASES = {
    "kiln-gzip": ("(1) kiln build, gzip, 1 platform -> oci-archive", "context"),
    "jib": ("(2) jib-core 0.27.3 -> OCI tar", "context"),
    "buildah": ("(3) buildah bud + push oci: (vfs)", "context"),
    "pigz": ("(4) tar --sort=name | pigz -p 2 | sha256sum", "context"),
    "kiln-zstd": ("(5) kiln build, zstd, 1 platform -> oci-archive", "context"),
    "kiln-3p": ("(5) kiln build, gzip, 3 platforms -> oci-archive", "context"),
    "kiln-layout-cold": ("(5) kiln build, gzip -> empty oci: layout (cold)", "context"),
    "kiln-rebuild-same": ("(5) kiln rebuild, nothing changed, same layout", "context"),
    "kiln-rebuild-one": ("(5) kiln rebuild, one file changed (14 layers), same layout", "context"),
    "kiln-gzip-c2": ("(i) kiln build, gzip, with C2 (-XX:TieredStopAtLevel=4)", "context"),
    "kiln-push": ("(6) kiln push, 3-platform index -> fresh registry", "image"),
    "skopeo-push": ("(6) skopeo copy --all oci: -> fresh registry", "image"),
    "kiln-pull": ("(6) kiln pull, 3-platform index -> oci:", "image"),
    "skopeo-pull": ("(6) skopeo copy --all docker:// -> oci:", "image"),
}

# (name, numerator case, denominator case, kind, target). kind "le": num/den <= target;
# kind "speedup": den/num >= target (num faster).
TARGETS = [
    ("build <= 0.45 x Jib", "kiln-gzip", "jib", "le", 0.45),
    ("build <= 1.15 x pigz pipeline", "kiln-gzip", "pigz", "le", 1.15),
    ("zstd >= 2 x faster than gzip", "kiln-zstd", "kiln-gzip", "speedup", 2.0),
    ("push <= 0.8 x skopeo", "kiln-push", "skopeo-push", "le", 0.8),
    ("pull <= 0.8 x skopeo", "kiln-pull", "skopeo-pull", "le", 0.8),
    ("no-change rebuild <= 10% of cold build", "kiln-rebuild-same", "kiln-layout-cold", "le", 0.10),
]
# the peers each kiln row is compared with in the "vs peer" column
PEERS = {
    "kiln-gzip": [("Jib", "jib"), ("pigz", "pigz"), ("buildah", "buildah")],
    "kiln-zstd": [("gzip", "kiln-gzip")],
    "kiln-push": [("skopeo", "skopeo-push")],
    "kiln-pull": [("skopeo", "skopeo-pull")],
    "kiln-rebuild-same": [("cold", "kiln-layout-cold")],
    "kiln-rebuild-one": [("cold", "kiln-layout-cold")],
    "kiln-gzip-c2": [("Jib", "jib"), ("pigz", "pigz")],
}


def load_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def read_raw(path):
    """raw.tsv: case, run, nanoseconds, peak RSS KiB, exit code, output bytes, CPU ms."""
    rows = {}
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 6 or p[0] == "case":
                continue
            rows.setdefault(p[0], []).append(
                {"run": int(p[1]), "seconds": int(p[2]) / 1e9, "rss_kib": int(p[3] or 0),
                 "exit": int(p[4]), "out_bytes": int(p[5] or 0),
                 "cpu_s": int(p[6]) / 1e3 if len(p) > 6 and p[6] else None})
    return rows


def summarize(rows, meta):
    cases = {}
    for cid, runs in rows.items():
        label, basis = CASES.get(cid, (cid, "context"))
        ok = [r for r in runs if r["exit"] == 0]
        secs = [r["seconds"] for r in ok]
        c = {"id": cid, "label": label, "runs": len(runs),
             "failed_runs": len(runs) - len(ok),
             "exit_codes": [r["exit"] for r in runs]}
        if secs:
            med = statistics.median(secs)
            nbytes = meta["context_bytes"] if basis == "context" else meta.get("image_bytes", 0)
            c.update({
                "seconds": {"median": round(med, 3), "min": round(min(secs), 3),
                            "max": round(max(secs), 3), "all": [round(s, 3) for s in secs]},
                "mb_per_s": round(nbytes / MB / med, 1) if med > 0 else None,
                "mb_per_s_basis": basis,
                "cpu_seconds": round(statistics.median(r["cpu_s"] for r in ok), 2)
                if all(r["cpu_s"] is not None for r in ok) else None,
                "peak_rss_mb": round(max(r["rss_kib"] for r in ok) * 1024 / MB, 1),
                "output_mb": round(statistics.median(r["out_bytes"] for r in ok) / MB, 1),
            })
        cases[cid] = c
    base = cases.get("kiln-gzip", {}).get("seconds", {}).get("median")
    for c in cases.values():
        if base and "seconds" in c:
            c["vs_kiln_gzip"] = round(c["seconds"]["median"] / base, 3)
        peers = {}
        for name, pid in PEERS.get(c["id"], []):
            p = cases.get(pid, {}).get("seconds", {}).get("median")
            if p and "seconds" in c:
                peers[name] = round(c["seconds"]["median"] / p, 3)
        if peers:
            c["vs_peer"] = peers
    return cases


def med(cases, cid):
    return cases.get(cid, {}).get("seconds", {}).get("median")


def cpu(cases, cid):
    return cases.get(cid, {}).get("cpu_seconds")


def check_targets(cases, startup, memory, meta=None):
    out = []
    for name, num, den, kind, target in TARGETS:
        a, b = med(cases, num), med(cases, den)
        t = {"target": name, "kind": kind, "goal": target}
        ca, cb = cpu(cases, num), cpu(cases, den)
        if ca and cb:  # the same ratio on CPU time: less sensitive to a busy machine
            t["cpu_value"] = round(ca / cb if kind == "le" else cb / ca, 3)
        if not a or not b:
            t.update({"status": "N/A", "note": "a case failed or did not run"})
        elif kind == "le":
            r = a / b
            t.update({"value": round(r, 3), "status": "PASS" if r <= target else "MISS",
                      "margin": f"{(r / target - 1) * 100:+.0f}% vs the limit"
                      if r > target else f"{(1 - r / target) * 100:.0f}% under the limit"})
        else:
            r = b / a
            t.update({"value": round(r, 3), "status": "PASS" if r >= target else "MISS",
                      "margin": f"{(1 - r / target) * 100:.0f}% short" if r < target
                      else f"{(r / target - 1) * 100:.0f}% over the goal"})
        out.append(t)
    one = med(cases, "kiln-rebuild-one")
    cold = med(cases, "kiln-layout-cold")
    ro = (meta or {}).get("rebuild_one", {})
    if one and cold and ro:
        share = ro["changed_layer_bytes"] / meta["context_bytes"]
        limit = 0.10 + share
        r = one / cold
        new = ro["new_layer_blobs"]
        ok = r <= limit and new and all(n == 1 for n in new)
        out.append({"target": "one file changed: only that layer recompressed", "kind": "le",
                    "goal": round(limit, 3), "value": round(r, 3),
                    "status": "PASS" if ok else "MISS",
                    "margin": f"limit = 10% + the changed layer's share of the context "
                              f"({share * 100:.1f}%) of the cold build; new layer blobs per run: "
                              f"{new}" + ("" if r <= limit else
                                          f"; {(r / limit - 1) * 100:+.0f}% vs the limit")})
    if startup:
        s = startup["median"]
        out.append({"target": "kiln ls start-up < 0.5 s", "kind": "abs", "goal": 0.5,
                    "value": round(s, 3), "status": "PASS" if s < 0.5 else "MISS",
                    "margin": f"{(s / 0.5 - 1) * 100:+.0f}% vs the limit" if s >= 0.5
                    else f"{(1 - s / 0.5) * 100:.0f}% under the limit"})
    if memory:
        out.append(memory_target(memory))
    return out


def memory_target(memory):
    return {"target": "4 GB file with -Xmx96m", "kind": "memory",
            "value": memory.get("peak_rss_mb"), "status": memory.get("status", "N/A"),
            "margin": memory.get("note", "")}


def fmt_secs(c):
    if "seconds" not in c:
        return f"FAILED (exit {','.join(map(str, c['exit_codes']))})"
    s = c["seconds"]
    if c["runs"] == 1:
        return f"{s['median']:.2f}"
    return f"{s['median']:.2f} [{s['min']:.2f}-{s['max']:.2f}]"


def table_rows(cases):
    rows = []
    for cid in CASES:
        if cid not in cases:
            continue
        c = cases[cid]
        peers = ", ".join(f"{v:.2f}x {k}" for k, v in c.get("vs_peer", {}).items())
        fails = f" ({c['failed_runs']} failed)" if c.get("failed_runs") and "seconds" in c else ""
        rows.append([c["label"], fmt_secs(c) + fails,
                     f"{c['cpu_seconds']:.1f}" if c.get("cpu_seconds") is not None else "-",
                     f"{c['mb_per_s']:.1f}" + ("*" if c.get("mb_per_s_basis") == "image" else "")
                     if c.get("mb_per_s") else "-",
                     f"{c['peak_rss_mb']:.0f}" if "peak_rss_mb" in c else "-",
                     f"{c['output_mb']:.1f}" if c.get("output_mb") else "-",
                     f"{c['vs_kiln_gzip']:.2f}" if "vs_kiln_gzip" in c else "-",
                     peers or "-"])
    return rows


HEAD = ["case", "seconds median [min-max]", "CPU s", "MB/s", "peak RSS MB", "output MB",
        "x kiln gzip", "x peer"]


def text_table(rows):
    w = [max(len(str(r[i])) for r in rows + [HEAD]) for i in range(len(HEAD))]
    line = lambda r: "  ".join(str(v).ljust(w[i]) for i, v in enumerate(r))
    return "\n".join([line(HEAD), line(["-" * x for x in w])] + [line(r) for r in rows])


def md_table(rows):
    out = ["| " + " | ".join(HEAD) + " |", "|" + "|".join(" --- " for _ in HEAD) + "|"]
    out += ["| " + " | ".join(str(v).replace("|", "\\|") for v in r) + " |" for r in rows]
    return "\n".join(out)


def targets_text(targets):
    lines = []
    for t in targets:
        v = t.get("value")
        val = "" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))
        if t["kind"] == "le":
            val = f"{v:.2f}x" if v is not None else "-"
        elif t["kind"] == "speedup":
            val = f"{v:.2f}x faster" if v is not None else "-"
        elif t["kind"] == "abs":
            val = f"{v:.3f} s"
        elif t["kind"] == "memory":
            val = f"peak RSS {v} MB" if v is not None else "-"
        elif t["kind"] == "info":
            val = f"{v:.2f}x cold"
        if t.get("cpu_value") is not None:
            val += f" (CPU {t['cpu_value']:.2f}x)"
        lines.append((t["status"], t["target"], val, t.get("margin", t.get("note", ""))))
    return lines


def render_md(result, memory, md_path):
    m = result["machine"]
    lines = [
        "# kiln benchmarks",
        "",
        "Produced by [`bench/run`](../bench/run) (issue 6); the same figures as JSON are in "
        "[`bench/results/latest.json`](../bench/results/latest.json). Re-run with `bench/run` "
        "(`BENCH_RUNS=N`, `BENCH_DIR=DIR`); `bench/run --memory` for the 4 GB memory check.",
        "",
        "## Machine",
        "",
        f"- date: {result['date']}",
        f"- CPUs (`nproc`): {m['nproc']}, {m['cpu_model']}",
        f"- memory: {m['mem_total_gb']} GB",
        f"- JDK: {m['jdk']}",
        f"- OS: {m['os']}",
        f"- load average at start / end: {m['load_start']} / {m['load_end']}"
        + (" (**the machine was shared with other work during this run: absolute figures are "
           "pessimistic; ratios come from interleaved runs**)" if m.get("busy") else ""),
        f"- kiln: {result['kiln_commit']}",
        "",
        "## Context",
        "",
        f"{result['context']['files']} files, {result['context']['bytes'] / MB:.1f} MB "
        f"({result['context']['text_files']} text files of 1-96 KiB in nested folders, "
        f"{result['context']['blob_files']} incompressible 5 MiB files, one executable), generated "
        f"from seed {result['context']['seed']}. Recipe: `FROM scratch` + `COPY . /app`; the "
        "one-file-changed rebuild uses a copy of the context and one `COPY DIR /app/DIR` per top "
        "folder (14 layers), and appends a line to one text file of `module00` before each run. "
        "Every cold kiln build gets a fresh, empty layer cache (`--cache-dir`); the rebuilds keep "
        "theirs.",
        "",
        f"## Results ({result['runs']} run(s) of each, interleaved)",
        "",
        md_table(table_rows(result["cases"])),
        "",
        "MB/s is context bytes / median seconds; rows marked * use the image's unique blob bytes "
        f"({result.get('image_bytes', 0) / MB:.1f} MB) instead. Peak RSS is the largest process "
        "(`/usr/bin/time -f %M`), CPU s the median user + system time of the whole command, "
        "output MB the tar or layout written. Ratios use medians."
        + (" Row (i) is informational: the same build as (1) with KILN_JAVA_OPTS="
           "-XX:TieredStopAtLevel=4." if "kiln-gzip-c2" in result["cases"] else ""),
        "",
        "## Targets (issue 6)",
        "",
        "Wall-time ratios decide PASS/MISS; the CPU-time ratio (user + sys) is shown beside them "
        "because it depends less on other work running on the machine.",
        "",
        "| status | target | value | margin |",
        "| --- | --- | --- | --- |",
    ]
    for st, name, val, margin in targets_text(result["targets"]):
        lines.append(f"| {st} | {name} | {val} | {margin} |")
    su = result.get("startup")
    if su:
        lines += ["", "## Start-up", "",
                  f"`kiln ls` on a small layout (testdata/example, 3 platforms), hyperfine "
                  f"{su['runs']} runs: median {su['median']:.3f} s [{su['min']:.3f}-{su['max']:.3f}],"
                  f" user + sys {su.get('cpu', 0):.3f} s, peak RSS {su.get('peak_rss_mb', '-')} MB."]
    if memory:
        lines += ["", "## Memory", "",
                  f"`bench/run --memory` ({memory['date']}): one {memory['file_gb']} GB generated "
                  f"file, `KILN_JAVA_OPTS=-Xmx96m kiln build` -> oci-archive: "
                  f"**{memory['status']}**, exit {memory['exit']}, {memory['seconds']:.1f} s, "
                  f"peak RSS {memory['peak_rss_mb']} MB, output {memory['output_mb']} MB "
                  f"({memory.get('note', '')})."]
    obs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "observations.md")
    if os.path.exists(obs):  # hand-written analysis, kept across runs
        lines += ["", open(obs).read().rstrip()]
    with open(md_path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    mode, work, out_json, out_md = sys.argv[1:5]
    results_dir = os.path.dirname(os.path.abspath(out_json))
    if mode == "render":
        render_md(load_json(out_json), load_json(os.path.join(results_dir, "memory.json")), out_md)
        return
    meta = load_json(os.path.join(work, "memory-meta.json" if mode == "memory" else "meta.json"), {})
    if mode == "memory":
        p = open(os.path.join(work, "memory.tsv")).read().split("\t")
        secs, rss_kib, rc, out_bytes = int(p[0]) / 1e9, int(p[1] or 0), int(p[2]), int(p[3] or 0)
        mem = {"date": meta["date"], "file_gb": meta["file_gb"], "xmx": "96m",
               "seconds": round(secs, 1), "peak_rss_mb": round(rss_kib * 1024 / MB, 1),
               "exit": rc, "output_mb": round(out_bytes / MB, 1),
               "status": "PASS" if rc == 0 else "MISS", "machine": meta.get("machine")}
        mem["note"] = ("built with a 96 MB heap; peak RSS is heap + JIT/metaspace/threads + "
                       "native buffers, not the file's size") if rc == 0 else \
            f"the build failed with -Xmx96m (exit {rc}; log {meta.get('log')})"
        with open(out_json, "w") as f:
            json.dump(mem, f, indent=2)
            f.write("\n")
        print(f"memory: {mem['status']}  exit {rc}  {secs:.1f} s  peak RSS {mem['peak_rss_mb']} MB"
              f"  output {mem['output_mb']} MB  ({mem['note']})")
        latest = load_json(os.path.join(results_dir, "latest.json"))
        if latest:
            latest["targets"] = [t for t in latest["targets"] if t["kind"] != "memory"]
            latest["targets"].append(memory_target(mem))
            with open(os.path.join(results_dir, "latest.json"), "w") as f:
                json.dump(latest, f, indent=2)
                f.write("\n")
            render_md(latest, mem, out_md)
        return

    cases = summarize(read_raw(os.path.join(work, "raw.tsv")), meta)
    startup = load_json(os.path.join(work, "startup.json"))
    memory = load_json(os.path.join(results_dir, "memory.json"))
    result = {
        "date": meta["date"], "runs": meta["runs"], "machine": meta["machine"],
        "kiln_commit": meta.get("kiln_commit"),
        "context": meta["context"], "image_bytes": meta.get("image_bytes", 0),
        "cases": cases, "startup": startup,
        "targets": check_targets(cases, startup, memory, meta),
    }
    with open(out_json, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    render_md(result, memory, out_md)
    print(text_table(table_rows(cases)))
    print("  (* MB/s on the image's unique blob bytes; ratios on medians)")
    if startup:
        print(f"\nstart-up: kiln ls median {startup['median']:.3f} s "
              f"[{startup['min']:.3f}-{startup['max']:.3f}] over {startup['runs']} runs")
    print("\ntargets:")
    for st, name, val, margin in targets_text(result["targets"]):
        print(f"  {st:<5} {name:<42} {val:<16} {margin}")


if __name__ == "__main__":
    main()
