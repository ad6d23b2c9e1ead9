#!/usr/bin/env python3
"""bench/waf_report.py: the markdown report of bench/waf-replay.sh.

Owns: reading replay.py's JSON, re-sending each false positive once with an X-Request-ID
so the daemon's log names the detection, and attributing blocks (WAF, hygiene gates,
backend). With --target-name nginx-modsec (the peer WAF), the X-Request-ID is ModSecurity's
transaction id and the CRS rule ids come from nginx's error log (--modsec-log) instead. Must not: contact anything but the --target given (127.0.0.1), or change the
corpus. Standard library only; replay.py is imported for its exact wire format.
"""

import argparse
import collections
import importlib.util
import json
import re
import sys
import urllib.parse


def load_module(path):
    spec = importlib.util.spec_from_file_location("replay", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def pct(n, d):
    return f"{100.0 * n / d:.1f}% ({n}/{d})" if d else "n/a"


def log_reasons(path):
    """request id -> (status, reason, detail) from the daemon's JSON (or text) log."""
    out = {}
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        return out
    for line in lines:
        if "request refused" not in line:
            continue
        try:
            d = json.loads(line)
            f = d.get("fields", d)
            rid = str(f.get("request_id", "")).strip('"')
            out[rid] = (f.get("status"), f.get("reason", ""), f.get("detail", ""))
        except ValueError:
            m = re.search(r'request_id="?([^" ]+)"?', line)
            if m:
                r = re.search(r"reason=(\S+)", line)
                dt = re.search(r'detail="?([^"]*)"?', line)
                out[m.group(1)] = (None, r.group(1) if r else "", dt.group(1) if dt else "")
    return out


MODSEC_ID = re.compile(r'\[id "(\d+)"\]')
MODSEC_UID = re.compile(r'\[unique_id "([^"]*)"\]')
MODSEC_CONN = re.compile(r'^\S+ \S+ \[\w+\] \d+#\d+: \*(\d+) ')
MODSEC_DENY = re.compile(r"ModSecurity: Access denied with code (\d+)")
# Rules that only sum up or report a decision: the denial itself (949110 inbound, 959100
# outbound) and the phase-5 correlation messages.
MODSEC_SUMMARY = {"949110", "959100", "980130", "980140"}


def modsec_log(path):
    """nginx's error log -> (denials, nginx_refusals, by_uid).

    denials: Counter of (status, rule id) over every "Access denied" line (the replay's and
    the re-sent ones); nginx_refusals: Counter of the messages nginx logs at info about a
    malformed request (a 400 before any module runs); by_uid: transaction id -> (denial
    status, rule ids matched). Lines are grouped by nginx's connection number first, because
    a long matched value can push `[unique_id ...]` past nginx's 2 KiB line limit; each
    re-sent request uses a connection of its own."""
    denials, refusals = collections.Counter(), collections.Counter()
    conn_ids, conn_uid, conn_status = collections.defaultdict(list), {}, {}
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        return denials, refusals, {}
    for line in lines:
        c = MODSEC_CONN.match(line)
        conn = c.group(1) if c else None
        if "ModSecurity:" in line:
            d = MODSEC_DENY.search(line)
            m = MODSEC_ID.search(line)
            if d:
                denials[(d.group(1), m.group(1) if m else "?")] += 1
            if conn:
                if m:
                    conn_ids[conn].append(m.group(1))
                u = MODSEC_UID.search(line)
                if u:
                    conn_uid[conn] = u.group(1)
                if d:
                    conn_status[conn] = d.group(1)
        elif "[info]" in line and ("client sent" in line or "client intended" in line
                                   or "too large" in line or "too long" in line):
            msg = line.split(": *", 1)[-1].split(" ", 1)[-1].split(",", 1)[0]
            refusals[re.sub(r'"[^"]*"', '"…"', msg)] += 1
    by_uid = {}
    for conn, uid in conn_uid.items():
        by_uid[uid] = (conn_status.get(conn), list(dict.fromkeys(conn_ids[conn])))
    return denials, refusals, by_uid


def resend(replay, rec, target, rid):
    """Sends rec once more with X-Request-ID: rid; returns the status (or the error)."""
    rec = dict(rec)
    headers = dict(rec.get("headers") or {})
    headers["X-Request-ID"] = rid
    rec["headers"] = headers
    args = argparse.Namespace(host=None, no_default_content_type=False)
    method, data = replay.build_request(rec, args)
    conn = replay.Conn(urllib.parse.urlsplit(target), 10.0, False)
    try:
        status, _ = conn.exchange(method, data)
        return status
    except Exception as e:  # report, never crash the report
        return f"error: {e}"
    finally:
        conn.close()


def metric_lines(path, prefixes):
    try:
        text = open(path, encoding="utf-8").read()
    except OSError:
        return []
    return [l for l in text.splitlines() if l.startswith(prefixes) and not l.endswith(" 0")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--replay-py", required=True)
    ap.add_argument("--target", required=True)
    ap.add_argument("--target-name", default="rampart", choices=["rampart", "nginx-modsec"])
    ap.add_argument("--modsec-log", help="nginx's error log (nginx-modsec: ModSecurity's messages)")
    ap.add_argument("--daemon-log")
    ap.add_argument("--metrics")
    ap.add_argument("--backend-log")
    ap.add_argument("--replay-text")
    ap.add_argument("--meta", action="append", default=[])
    ap.add_argument("--max-fp", type=int, default=200, help="false positives re-sent and listed")
    a = ap.parse_args()

    host = urllib.parse.urlsplit(a.target).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("waf_report.py only talks to loopback")
    res = json.load(open(a.json, encoding="utf-8"))
    recs = {}
    with open(a.corpus, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                recs[r["id"]] = r
    replay = load_module(a.replay_py)

    w = sys.stdout.write
    peer = a.target_name == "nginx-modsec"
    if peer:
        w("# WAF replay through the peer WAF, nginx + ModSecurity v3 + OWASP CRS "
          "(WAF_TARGET=nginx-modsec bench/waf-replay.sh)\n\n")
    else:
        w("# WAF replay through the daemon (bench/waf-replay.sh)\n\n")
    for m in a.meta:
        k, _, v = m.partition("=")
        w(f"- **{k}**: {v}\n")
    w(f"- **corpus**: {', '.join(res['corpus'])} ({res['requests']} requests)\n")
    w(f"- **replay**: {res['elapsed_s']} s, {res['requests_per_s']} req/s, concurrency {res['concurrency']}, "
      f"blocked = status in {res['block_status']}\n")
    w(f"- **statuses**: {', '.join(f'{k}={v}' for k, v in res['status_counts'].items())}\n\n")

    o = res["overall"]
    target_note = ("(the peer, for comparison with rampart's `balanced` profile)" if peer else
                   "(issue 3 targets for `balanced`: TPR >= 95%, FPR <= 1%)")
    w(f"**Overall: TPR {pct(o['blocked_tp'], o['block_expected'])}, "
      f"FPR {pct(o['blocked_fp'], o['allow_expected'])}, connection errors {o['errors']}** "
      f"{target_note}\n\n")
    for name in ("macro_over_sources", "macro_over_classes"):
        m = res[name]
        if m["tpr"] is not None:
            w(f"- {name.replace('_', ' ')}: TPR {m['tpr']:.1f}%"
              + (f", FPR {m['fpr']:.1f}%" if m["fpr"] is not None else "") + "\n")
    w("\n")

    for title, key in (("By class", "by_class"), ("By source", "by_source")):
        w(f"## {title}\n\n| {key[3:]} | TPR (blocked / attacks) | FPR (blocked / benign) | errors |\n"
          "|---|---:|---:|---:|\n")
        for name, d in res[key].items():
            w(f"| {name} | {pct(d['blocked_tp'], d['block_expected'])} | "
              f"{pct(d['blocked_fp'], d['allow_expected'])} | {d['errors']} |\n")
        w("\n")

    # Where the blocks came from.
    w("## Who blocked\n\n")
    if a.metrics:
        lines = metric_lines(a.metrics, ("rampart_requests_rejected_total", "rampart_waf_denied_total",
                                         "rampart_upstream_errors_total"))
        w("rampart `/metrics` after the replay (non-zero series; `reason=\"waf\"` is the WAF, every\n"
          "other reason is a hygiene gate before it):\n\n```\n" + "\n".join(lines) + "\n```\n\n")
        counted = sum(int(float(l.rsplit(" ", 1)[1])) for l in lines
                      if l.startswith("rampart_requests_rejected_total"))
        blocked = sum(v for k, v in res["status_counts"].items()
                      if k.isdigit() and int(k) in res["block_status"])
        w(f"Blocking statuses seen by the replayer: {blocked}; refusals counted by rampart (any status): "
          f"{counted}. A positive difference ({blocked - counted}) is requests that never reached\n"
          "rampart's service: hyper's HTTP/1 parser refused the request line or URI (e.g. raw `\"`,\n"
          "`<`, `>` in the query) with 400, before any gate or metric.\n\n")
    if a.modsec_log:
        denials, refusals, _ = modsec_log(a.modsec_log)
        w("ModSecurity denials in nginx's error log after the replay, by status and rule "
          "(949110 = CRS inbound anomaly score >= threshold; 10003 = request body that could "
          "not be parsed; read before the false positives below were re-sent):\n\n"
          "| status | rule | denials |\n|---|---|---:|\n")
        for (st, rid), n in sorted(denials.items()):
            w(f"| {st} | {rid} | {n} |\n")
        counted = sum(n for (st, _), n in denials.items()
                      if st.isdigit() and int(st) in res["block_status"])
        blocked = sum(v for k, v in res["status_counts"].items()
                      if k.isdigit() and int(k) in res["block_status"])
        w(f"\nBlocking statuses seen by the replayer: {blocked}; blocking denials by ModSecurity: "
          f"{counted}. A positive difference ({blocked - counted}) is requests nginx refused itself "
          "(400) before ModSecurity saw them, the counterpart of hyper's parser refusals for rampart.\n")
        if refusals:
            w("nginx's info messages about malformed requests (a 400 when it refused the request; an "
              "`invalid header line` is dropped instead, the request goes on and ModSecurity never "
              "sees that header): " + "; ".join(f"{k} ×{v}" for k, v in refusals.most_common(10)) + "\n")
        w("\n")
    if a.backend_log:
        try:
            st = collections.Counter(l.split(" ", 1)[0] for l in open(a.backend_log, encoding="utf-8"))
            w(f"Backend (nginx) statuses for what reached it: "
              f"{', '.join(f'{k}={v}' for k, v in sorted(st.items()))}. A 400/403 here would be the\n"
              "backend's refusal counted as a block; there should be none.\n\n")
        except OSError:
            pass

    # False positives, each re-sent once to learn the detection from the daemon's log.
    fps = res["false_positives"]
    w(f"## False positives ({len(fps)})\n\n")
    if fps:
        ids = {}
        for i, fid in enumerate(fps[: a.max_fp]):
            rid = f"bench-fp-{i:04d}"
            ids[fid] = (rid, resend(replay, recs[fid], a.target, rid) if fid in recs else "not in corpus")
        if peer:
            _, _, by_uid = modsec_log(a.modsec_log) if a.modsec_log else ({}, {}, {})
            w("| corpus id | status (replay / re-sent) | denied by | CRS rules matched |\n|---|---|---|---|\n")
            for fid in fps[: a.max_fp]:
                rid, again = ids[fid]
                if rid in by_uid:
                    st, rules = by_uid[rid]
                    denied = [r for r in rules if r in MODSEC_SUMMARY or r.startswith("1000")]
                    matched = [r for r in rules if r not in denied]
                    by = ", ".join(denied) if st else "(no ModSecurity denial)"
                    w(f"| {fid} | {res['statuses'].get(fid)} / {again} | {by} | {' '.join(matched)} |\n")
                else:
                    w(f"| {fid} | {res['statuses'].get(fid)} / {again} | (not in log: nginx itself?) | |\n")
            per_rule = collections.Counter(r for fid in fps[: a.max_fp] if ids[fid][0] in by_uid
                                           for r in by_uid[ids[fid][0]][1]
                                           if r not in MODSEC_SUMMARY and not r.startswith("1000"))
            if per_rule:
                w("\nCRS rules behind the false positives (requests matched): "
                  + ", ".join(f"{r} ×{n}" for r, n in per_rule.most_common()) + "\n")
        else:
            reasons = log_reasons(a.daemon_log) if a.daemon_log else {}
            w("| corpus id | status (replay / re-sent) | reason | detection |\n|---|---|---|---|\n")
            for fid in fps[: a.max_fp]:
                rid, again = ids[fid]
                st, reason, detail = reasons.get(rid, (None, "(not in log)", ""))
                w(f"| {fid} | {res['statuses'].get(fid)} / {again} | {reason} | {detail} |\n")
        w("\n")
    fn = collections.Counter(recs[i]["class"] for i in res["false_negatives"] if i in recs)
    w(f"## False negatives by class ({len(res['false_negatives'])})\n\n"
      + ", ".join(f"{k} {v}" for k, v in fn.most_common()) + "\n\n")
    if res.get("errors"):
        w(f"## Connection errors ({len(res['errors'])})\n\n")
        for k, v in list(res["errors"].items())[:20]:
            w(f"- {k}: {v}\n")
        w("\n")
    if a.replay_text:
        try:
            w("## replay.py output\n\n```\n" + open(a.replay_text, encoding="utf-8").read() + "```\n")
        except OSError:
            pass


if __name__ == "__main__":
    main()
