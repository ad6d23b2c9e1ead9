#!/usr/bin/env python3
"""WAF false positives on generated passwords: what a password manager sends.

A user whose generated password the WAF refuses cannot log in, every time, so this is
measured on its own. The script generates passwords the way password managers do
(uniform random characters, 12, 16, 20 or 24 long) from three alphabets, with a fixed
seed so runs compare:

- basic: letters, digits and `!@#$%^&*`;
- full:  letters, digits and the symbols managers offer by default (`!@#$%^&*()_+-=[]{}|;:,.<>?`);
- all:   every printable ASCII character.

Each password is posted as the `password` field of a urlencoded login form and run
through the engine (examples/corpus_eval, balanced profile). The report gives the share
refused per alphabet and per detection id.

Usage: bench/waf_passwords.py [--eval PATH/corpus_eval] [--count N] [--show]
Nothing is sent over the network; the request file lives in a temporary directory.
"""

import argparse
import collections
import json
import os
import random
import re
import subprocess
import tempfile
import urllib.parse

from waf_shapes import corpus_eval

ALPHABETS = {
    "basic": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*",
    "full": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    + "!@#$%^&*()_+-=[]{}|;:,.<>?",
    "all": "".join(chr(c) for c in range(33, 127)),
}
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def requests(count):
    rng = random.Random(7)
    for name, alphabet in ALPHABETS.items():
        for k in range(count):
            pw = "".join(rng.choice(alphabet) for _ in range(rng.choice([12, 16, 20, 24])))
            yield {
                "id": f"pw-{name}-{k}",
                "source": name,
                "class": "benign",
                "expect": "allow",
                "method": "POST",
                "uri": "/login",
                "headers": {
                    "Host": "localhost",
                    "User-Agent": UA,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                "body": "user=alice&password=" + urllib.parse.quote(pw, safe=""),
            }


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", default=None, help="corpus_eval binary (built when missing)")
    ap.add_argument("--count", type=int, default=1000, help="passwords per alphabet")
    ap.add_argument("--show", action="store_true", help="list every refused password")
    a = ap.parse_args()
    evaluator = corpus_eval(repo, a.eval)
    with tempfile.TemporaryDirectory(prefix="waf-passwords-") as tmp:
        path = os.path.join(tmp, "passwords.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for r in requests(a.count):
                f.write(json.dumps(r) + "\n")
        out = subprocess.run(
            [evaluator, path, "--show-fp"], capture_output=True, text=True, check=True
        ).stdout
    by_set, by_id = collections.Counter(), collections.Counter()
    shown = []
    for line in out.splitlines():
        m = re.match(r"FP pw-(\w+)-\d+ \[([a-z0-9-]+) .*password=(\S*)", line)
        if not m:
            continue
        by_set[m.group(1)] += 1
        by_id[m.group(2)] += 1
        shown.append((m.group(2), urllib.parse.unquote(m.group(3))))
    total = sum(by_set.values())
    print(f"| alphabet | refused | of | share |\n|---|---:|---:|---:|")
    for name in ALPHABETS:
        print(f"| {name} | {by_set[name]} | {a.count} | {100 * by_set[name] / a.count:.2f}% |")
    n = a.count * len(ALPHABETS)
    print(f"| all three | {total} | {n} | {100 * total / n:.2f}% |\n")
    print("refused by detection: " + ", ".join(f"{k} {v}" for k, v in by_id.most_common()))
    if a.show:
        for det, pw in sorted(shown):
            print(f"  {det:24} {pw!r}")


if __name__ == "__main__":
    main()
