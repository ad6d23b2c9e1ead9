#!/usr/bin/env python3
"""bench/summarize.py: turns the JSON lines of bench/proxy-compare.sh into a markdown report.

Owns: the table layout and the ratios. Must not: measure anything (stdlib only).

Input lines are either a wrk result ({"case", "scenario", "requests", "duration_us",
"p50_us", ... "cpu_ticks", "clk_tck"}) or a memory line ({"case", "peak_rss_kib"}).
"""

import argparse
import json
import os
import re
import sys

CASES = ["direct", "nginx", "nginx-modsec", "haproxy", "rampart-off", "rampart-on"]
LABEL = {
    "direct": "backend direct (no proxy)",
    "nginx": "nginx reverse proxy",
    "nginx-modsec": "nginx + ModSecurity + CRS (peer WAF)",
    "haproxy": "HAProxy",
    "rampart-off": "rampart, WAF off",
    "rampart-on": "rampart, WAF on (balanced)",
}
SCEN = {
    "get": "GET / (3-byte response)",
    "post": "POST /api/orders (1 KB JSON, the same body every request)",
    "post-varied": "POST /api/orders (1 KB JSON, a different customer in every request)",
}


def rps(r):
    return r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0


def ms(us):
    return f"{us / 1000:.2f}"


def errors(r):
    n = sum(r[k] for k in ("err_connect", "err_read", "err_write", "err_timeout"))
    return f"{n} / {r['err_status']}"


def cpu_us_per_req(r):
    if not r.get("requests"):
        return None
    return r["cpu_ticks"] / r["clk_tck"] * 1e6 / r["requests"]


def ratio(a, b):
    if not a or not b:
        return "n/a"
    r = a / b
    # Two decimals, except for ratios far below 1 (the peer WAF's), which keep 2 significant digits.
    return f"{r:.2f}" if r >= 0.1 else f"{r:.2g}"


def metrics_lines(path):
    """Non-zero request/refusal/error series of rampart's /metrics and the mean in-gateway time."""
    try:
        text = open(path, encoding="utf-8").read()
    except OSError:
        return []
    sums, counts, out = {}, {}, []
    for line in text.splitlines():
        m = re.match(r'rampart_request_duration_seconds_(sum|count)\{([^}]*)\} (\S+)', line)
        if m:
            (sums if m.group(1) == "sum" else counts)[m.group(2)] = float(m.group(3))
        elif line.startswith(("rampart_requests_total", "rampart_waf_denied_total",
                              "rampart_requests_rejected_total", "rampart_upstream_errors_total")):
            if not line.endswith(" 0"):
                out.append(line)
    for labels, c in sorted(counts.items()):
        if c:
            out.append(f"mean time inside rampart (request in -> response head out) "
                       f"{{{labels}}}: {sums.get(labels, 0) / c * 1e6:.0f} us over {c:.0f} requests")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jsonl")
    ap.add_argument("--meta", action="append", default=[], help="key=value shown at the top")
    ap.add_argument("--metrics-dir", help="directory with metrics-<case>.txt")
    a = ap.parse_args()

    runs, rss = {}, {}
    with open(a.jsonl, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if "peak_rss_kib" in d:
                rss[d["case"]] = d["peak_rss_kib"]
            else:
                runs[(d["case"], d["scenario"])] = d
    scenarios = [s for s in SCEN if any(k[1] == s for k in runs)]
    cases = [c for c in CASES if any(k[0] == c for k in runs)]

    w = sys.stdout.write
    w("# Proxy comparison (bench/proxy-compare.sh)\n\n")
    for m in a.meta:
        k, _, v = m.partition("=")
        w(f"- **{k}**: {v}\n")
    w("\n> The machine has 2 cores. wrk, the proxy under test and the nginx backend all share\n"
      "> them, so absolute numbers are low and every case is CPU-bound; compare the ratios,\n"
      "> measured in the same run with the same wrk parameters and the same backend.\n\n")

    for s in scenarios:
        w(f"## {SCEN[s]}\n\n")
        w("| case | req/s | p50 ms | p90 ms | p99 ms | errors sock / non-2xx | proxy CPU us/req |\n")
        w("|---|---:|---:|---:|---:|---:|---:|\n")
        for c in cases:
            r = runs.get((c, s))
            if not r:
                continue
            cpu = cpu_us_per_req(r)
            cpu_s = f"{cpu:.1f}" if cpu is not None else "n/a"
            if c == "direct":
                cpu_s += " (backend)"
            w(f"| {LABEL[c]} | {rps(r):,.0f} | {ms(r['p50_us'])} | {ms(r['p90_us'])} | "
              f"{ms(r['p99_us'])} | {errors(r)} | {cpu_s} |\n")
        w("\n")

    # The two WAF-on / WAF-off ratios sit next to each other: rampart's and the peer's
    # (nginx + ModSecurity + CRS over the same nginx without it).
    pairs = [("rampart-off", "nginx"), ("rampart-off", "haproxy"),
             ("rampart-on", "nginx"), ("rampart-on", "haproxy"), ("rampart-on", "nginx-modsec"),
             ("rampart-on", "rampart-off"), ("nginx-modsec", "nginx")]
    rows = []
    for s in scenarios:
        for x, y in pairs:
            rx, ry = runs.get((x, s)), runs.get((y, s))
            if not rx or not ry:
                continue
            note = ""
            if (x, y) == ("rampart-on", "rampart-off") and s in ("post", "post-varied"):
                note = " (target >= 0.90)"
            rows.append(f"| {s} | {LABEL[x]} / {LABEL[y]} | {ratio(rps(rx), rps(ry))}{note} | "
                        f"{ratio(rx['p99_us'], ry['p99_us'])} | "
                        f"{ratio(cpu_us_per_req(rx), cpu_us_per_req(ry))} |\n")
    if rows:
        w("## Ratios (req/s; p99 latency; proxy CPU per request)\n\n")
        w("| scenario | comparison | throughput | p99 | CPU/req |\n|---|---|---:|---:|---:|\n")
        w("".join(rows) + "\n")

    # WAF cost side by side: what turning the WAF on costs rampart and what it costs nginx.
    waf_rows = []
    for s in scenarios:
        cells = []
        for on, off in (("rampart-on", "rampart-off"), ("nginx-modsec", "nginx")):
            ron, roff = runs.get((on, s)), runs.get((off, s))
            if ron and roff:
                con, coff = cpu_us_per_req(ron), cpu_us_per_req(roff)
                added = f"{con - coff:+.1f}" if con is not None and coff is not None else "n/a"
                cells.append(f"{ratio(rps(ron), rps(roff))} | {added}")
            else:
                cells.append("n/a | n/a")
        if any(c != "n/a | n/a" for c in cells):
            waf_rows.append(f"| {s} | {' | '.join(cells)} |\n")
    if waf_rows and any((c, s) in runs for c in ("nginx-modsec",) for s in scenarios):
        w("## WAF on / WAF off: rampart and the peer WAF\n\n"
          "| scenario | rampart on/off req/s | rampart WAF CPU us/req added | "
          "nginx+ModSecurity / nginx req/s | ModSecurity CPU us/req added |\n"
          "|---|---:|---:|---:|---:|\n")
        w("".join(waf_rows) + "\n")

    if rss:
        w("## Peak RSS (VmHWM after all of the case's runs)\n\n| case | peak RSS MiB |\n|---|---:|\n")
        for c in cases:
            if c in rss:
                w(f"| {LABEL[c]} | {rss[c] / 1024:.1f} |\n")
        w("\nnginx and nginx + ModSecurity: master + workers summed (an upper bound). HAProxy and rampart: one process.\n")
        for x, y in (("rampart-off", "nginx"), ("rampart-off", "haproxy"), ("rampart-on", "rampart-off"),
                     ("nginx-modsec", "nginx")):
            if x in rss and y in rss:
                w(f"- {LABEL[x]} / {LABEL[y]}: {ratio(rss[x], rss[y])}\n")
        w("\n")

    if a.metrics_dir:
        for c in ("rampart-off", "rampart-on"):
            lines = metrics_lines(os.path.join(a.metrics_dir, f"metrics-{c}.txt"))
            if lines:
                w(f"## rampart /metrics after the {c} runs\n\n```\n" + "\n".join(lines) + "\n```\n\n")

    w("Columns: latency percentiles from wrk (coordinated omission not corrected); errors are\n"
      "socket errors (connect/read/write/timeout) / non-2xx responses; proxy CPU is user+system\n"
      "time of the proxy process(es) during the measured run divided by its requests.\n")


if __name__ == "__main__":
    main()
