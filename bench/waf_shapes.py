#!/usr/bin/env python3
"""WAF robustness to request shape: the same parameters, carried differently.

Reads a labelled corpus in the dev.jsonl format, takes each record's parameters (query
pairs, urlencoded or JSON body fields, a text body), and writes them again as eleven
request shapes: query string, urlencoded form, JSON (flat and nested), multipart, XML
text, Cookie, Referer query string, and, for records with one plain-named parameter,
User-Agent, X-Forwarded-For and a path segment. Each shape file is run through the
engine (examples/corpus_eval) and compared with the query shape:

- "kept" is the share of the attacks the query shape blocks that this shape blocks too
  (the engine's own recall is the replay's business; this isolates the shape);
- "FP" counts the benign records this shape blocks.

Shapes that drop the parameter name (XML element text, headers, path) only carry records
whose names are plain words, so payloads that live in a name are not counted as lost.
Values that are not UTF-8 are only sent where percent-encoding can carry them.

Usage: bench/waf_shapes.py [CORPUS.jsonl] [--eval PATH/corpus_eval] [--show SHAPE]
Nothing is sent over the network; the shape files live in a temporary directory that is
removed at exit (--keep DIR writes them there instead).
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from xml.sax.saxutils import escape as xml_escape

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
BOUNDARY = "----rampartshapes7MA4YWxkTrZu0gW"
PLAIN_NAME = re.compile(rb"[A-Za-z0-9_-]{1,24}")


def pairs_of(raw):
    """Decoded (name, value) pairs of an urlencoded string."""
    out = []
    for part in raw.split("&"):
        if part:
            k, _, v = part.partition("=")
            out.append(
                (
                    urllib.parse.unquote_to_bytes(k.replace("+", " ")),
                    urllib.parse.unquote_to_bytes(v.replace("+", " ")),
                )
            )
    return out


def json_leaves(v, key, out):
    if isinstance(v, dict):
        for k, x in v.items():
            json_leaves(x, k, out)
    elif isinstance(v, list):
        for x in v:
            json_leaves(x, key, out)
    elif isinstance(v, str):
        out.append((key.encode(), v.encode()))


def parameters(rec):
    """The record's parameters, or None when it carries none this tool can move."""
    headers = {k.lower(): v for k, v in (rec.get("headers") or {}).items()}
    ctype = (headers.get("content-type") or "").split(";")[0].strip().lower()
    uri, body = rec["uri"], rec.get("body") or ""
    ps = pairs_of(uri.split("?", 1)[1]) if "?" in uri else []
    if body:
        if ctype == "application/x-www-form-urlencoded":
            ps += pairs_of(body)
        elif ctype == "application/json":
            try:
                json_leaves(json.loads(body), "v", ps)
            except ValueError:
                return None
        elif ctype in ("text/plain", ""):
            ps.append((b"text", body.encode()))
        else:
            return None
    ps = [(k or b"q", v) for k, v in ps if v]
    return ps or None


def utf8(b):
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def pct(b):
    return urllib.parse.quote_from_bytes(b, safe="")


def request(method, uri, headers=None, body=None):
    h = {"Host": "localhost", "User-Agent": UA, "Accept": "*/*"}
    h.update(headers or {})
    return {"method": method, "uri": uri, "headers": h, "body": body}


def shapes(ps):
    """(shape name, request) for every shape that can carry these parameters."""
    q = "&".join(f"{pct(k)}={pct(v)}" for k, v in ps)
    yield "query", request("GET", "/search?" + q)
    yield "form", request(
        "POST", "/submit", {"Content-Type": "application/x-www-form-urlencoded"}, q
    )
    yield "cookie", request("GET", "/", {"Cookie": "; ".join(f"{pct(k)}={pct(v)}" for k, v in ps)})
    yield "referer", request("GET", "/", {"Referer": "https://shop.example.com/search?" + q})
    plain = all(PLAIN_NAME.fullmatch(k) for k, _ in ps)
    if all(utf8(k) and utf8(v) for k, v in ps):
        d = {k.decode(): v.decode() for k, v in ps}
        json_ct = {"Content-Type": "application/json"}
        yield "json", request("POST", "/api/items", json_ct, json.dumps(d))
        nested = {"data": {"type": "item", "attributes": d}, "tags": list(d.values())}
        yield "json-nested", request("POST", "/api/items", json_ct, json.dumps(nested))
        parts = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in d.items()
        )
        yield "multipart", request(
            "POST",
            "/upload",
            {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            parts + f"--{BOUNDARY}--\r\n",
        )
        if plain:
            text = "".join(f"<{k}>{xml_escape(v)}</{k}>" for k, v in d.items() if k.isalpha())
            text += "".join(f"<p>{xml_escape(v)}</p>" for k, v in d.items() if not k.isalpha())
            yield "xml", request(
                "POST",
                "/api/xml",
                {"Content-Type": "application/xml"},
                f'<?xml version="1.0"?><request>{text}</request>',
            )
    if len(ps) != 1 or not plain:
        return
    v = ps[0][1]
    if all(0x20 <= c < 0x7F or c == 9 for c in v):
        yield "user-agent", request("GET", "/", {"User-Agent": v.decode()})
        yield "x-forwarded-for", request("GET", "/", {"X-Forwarded-For": v.decode()})
    yield "path", request("GET", "/files/" + pct(v))


def misses(evaluator, path):
    """(false negative ids, {false positive id: line}) of one corpus file."""
    out = subprocess.run(
        [evaluator, path, "--show-fn", "all", "--show-fp"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    fn, fp = set(), {}
    for line in out.splitlines():
        if line.startswith("FN "):
            fn.add(line.split()[1])
        elif line.startswith("FP "):
            fp[line.split()[1]] = line
    return fn, fp


def corpus_eval(repo, given=None):
    """The examples/corpus_eval binary: `given`, or the release build under
    CARGO_TARGET_DIR (or the repo's target/), built first."""
    if given is not None:
        return given
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(repo, "target"))
    subprocess.run(
        ["cargo", "build", "-q", "--release", "-p", "rampart-waf", "--example", "corpus_eval"],
        cwd=repo,
        check=True,
    )
    return os.path.join(target, "release", "examples", "corpus_eval")


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default=os.path.join(repo, "..", "shared", "waf-corpus", "dev.jsonl"))
    ap.add_argument("--eval", default=None, help="corpus_eval binary (built when missing)")
    ap.add_argument("--show", default=None, help="list what one shape lost and its false positives")
    ap.add_argument("--keep", default=None, help="write the shape files to this directory")
    a = ap.parse_args()
    evaluator = corpus_eval(repo, a.eval)
    records, files = {}, collections.defaultdict(list)
    with open(a.corpus, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            ps = parameters(rec)
            if not ps:
                continue
            records[rec["id"]] = rec
            for name, req in shapes(ps):
                req.update(id=rec["id"], source=rec["source"], expect=rec["expect"])
                req["class"] = rec["class"]
                files[name].append(json.dumps(req))
    with tempfile.TemporaryDirectory(prefix="waf-shapes-") as tmp:
        out_dir = a.keep or tmp
        os.makedirs(out_dir, exist_ok=True)
        for name, lines in files.items():
            with open(os.path.join(out_dir, name + ".jsonl"), "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
        names = sorted(files)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = dict(zip(names, pool.map(
                lambda n: misses(evaluator, os.path.join(out_dir, n + ".jsonl")), names)))
    query_fn = results["query"][0]
    print(f"{len(records)} records carry parameters ({a.corpus})\n")
    print("| shape | attacks the query shape blocks | blocked here too | kept | benign blocked | lost, by class |")
    print("|---|---:|---:|---:|---:|---|")
    for name in names:
        fn, fp = results[name]
        ids = [json.loads(x)["id"] for x in files[name]]
        attacks = [i for i in ids if records[i]["expect"] == "block" and i not in query_fn]
        benign = [i for i in ids if records[i]["expect"] != "block"]
        lost = [i for i in attacks if i in fn]
        fps = [i for i in benign if i in fp]
        by = collections.Counter(records[i]["class"] for i in lost).most_common(6)
        kept = 100.0 * (1 - len(lost) / max(1, len(attacks)))
        print(
            f"| {name} | {len(attacks)} | {len(attacks) - len(lost)} | {kept:.2f}% | "
            f"{len(fps)} of {len(benign)} | {', '.join(f'{c} {n}' for c, n in by) or '-'} |"
        )
        if a.show == name:
            for i in sorted(lost):
                print(f"  lost {records[i]['class']} {i}")
            for i in fps:
                print("  " + fp[i][:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
