#!/usr/bin/env python3
"""callshare.py CALLGRIND_OUT REPORT.lsu.json...: the share of dynamic calls
into plugin-compiled functions that execute no stack check.

callgrind counts calls per (caller, callee) pair ("calls=N" after
"cfn=(id) name"); the reports say which functions kept their check.  Calls
into code the plugin did not compile (libc) are left out: they never have
a check.  Prints: "unchecked_calls total_calls share_percent"."""
import json
import re
import sys


def main():
    names = {}
    calls = {}
    cfn = None
    with open(sys.argv[1]) as fh:
        for line in fh:
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
            if m:
                ident, name = m.group(1), m.group(2)
                if name:
                    names[ident] = name.strip()
                if line.startswith("cfn="):
                    cfn = names.get(ident)
                continue
            if line.startswith("calls=") and cfn:
                calls[cfn] = calls.get(cfn, 0) + int(line[6:].split()[0])
    checked = {}
    for f in sys.argv[2:]:
        with open(f) as fh:
            for fn in json.load(fh)["functions"]:
                checked[fn["symbol"]] = fn["checked"]
    total = unchecked = 0
    for name, n in calls.items():
        sym = name.split("'")[0]
        if sym in checked:
            total += n
            if not checked[sym]:
                unchecked += n
    share = 100.0 * unchecked / total if total else 0.0
    print("%d %d %.1f" % (unchecked, total, share))


if __name__ == "__main__":
    main()
