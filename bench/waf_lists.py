#!/usr/bin/env python3
"""WAF detection on payload lists you bring: one payload per line, per class.

dev.jsonl is one corpus; public payload lists (fuzzing word lists, a scanner's
payload files, your own red team's notes) are others. This script measures the
balanced profile on such lists without putting them in the repository: each
non-empty line that does not start with `#` is sent two ways, as a query
parameter (`GET /search?q=…`, percent-encoded) and as a JSON string
(`POST /api/items {"q": …}`), through the engine (examples/corpus_eval). Scanner
placeholders are filled in first (`[RANDNUM]` → 5821, `[RANDSTR]` → HqTb,
`[SLEEPTIME]` → 5, `[DELIMITER_START]` → qkvjq …), since a real request carries
values, not templates.

Many list lines are probes rather than attacks (a lone `'`, `or`, `../`, a bare
file name); a WAF that blocked those would block ordinary users, so read the
misses (`--show`) before reading the rate.

Usage: bench/waf_lists.py [--eval PATH/corpus_eval] [--show] CLASS=FILE [CLASS=FILE ...]
  e.g. bench/waf_lists.py sqli=lists/Generic-SQLi.txt xss=lists/XSS-Jhaddix.txt
Nothing is sent over the network; the request file lives in a temporary directory.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

from waf_shapes import corpus_eval

PLACEHOLDERS = {
    "[DELIMITER_START]": "qkvjq",
    "[DELIMITER_STOP]": "qpzxq",
    "[ORIGVALUE]": "7",
    "[RANDNUM1]": "4417",
    "[RANDNUM2]": "9120",
    "[RANDNUM3]": "3388",
    "[RANDNUM4]": "6051",
    "[RANDNUM5]": "2274",
    "[RANDNUM]": "5821",
    "[RANDSTR]": "HqTb",
    "[SLEEPTIME]": "5",
}


def fill(p):
    for k, v in PLACEHOLDERS.items():
        p = p.replace(k, v)
    return p


def records(cls, path):
    base = os.path.basename(path)
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines, 1):
        p = line.rstrip("\r")
        if not p.strip() or p.startswith("#"):
            continue
        p = fill(p)
        yield {
            "id": f"{base}:{i}:query",
            "class": cls,
            "expect": "block",
            "method": "GET",
            "uri": "/search?q=" + urllib.parse.quote(p, safe=""),
            "headers": {"Host": "localhost", "User-Agent": "Mozilla/5.0"},
            "body": None,
        }
        yield {
            "id": f"{base}:{i}:json",
            "class": cls,
            "expect": "block",
            "method": "POST",
            "uri": "/api/items",
            "headers": {
                "Host": "localhost",
                "User-Agent": "Mozilla/5.0",
                "Content-Type": "application/json",
            },
            "body": json.dumps({"q": p}),
        }


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lists", nargs="+", help="CLASS=FILE")
    ap.add_argument("--eval", default=None, help="corpus_eval binary (built when missing)")
    ap.add_argument("--show", action="store_true", help="list every payload that passed")
    a = ap.parse_args()
    pairs = []
    for arg in a.lists:
        cls, sep, path = arg.partition("=")
        if not sep or not cls or not os.path.isfile(path):
            sys.exit(f"not CLASS=FILE with a readable file: {arg}")
        pairs.append((cls, path))
    evaluator = corpus_eval(repo, a.eval)
    with tempfile.TemporaryDirectory() as tmp:
        req = os.path.join(tmp, "lists.jsonl")
        with open(req, "w", encoding="utf-8") as f:
            for cls, path in pairs:
                for r in records(cls, path):
                    f.write(json.dumps(r) + "\n")
        args = [evaluator, req] + (["--show-fn", "all"] if a.show else [])
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    print(out)


if __name__ == "__main__":
    main()
