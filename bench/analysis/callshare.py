#!/usr/bin/env python3
"""callshare.py [--reasons] [--functions FILE] CALLGRIND_OUT REPORT.lsu.json...: the share of
dynamic calls into plugin-compiled functions that execute no stack check,
and, with --reasons, why the checked ones keep their check.

callgrind counts calls per (caller, callee) pair ("calls=N" after
"cfn=(id) name"); the plugin's reports say which functions kept their
check and why.  Calls into code the plugin did not compile (libc) are left
out: they never have a check.  A call to one of the plugin's checked
entries (NAME.lstk_checked, lstk.guarded_call: plugin/cold_calls.cc) is a
checked call, with the reason "entry"; the entry's jump to its target is
no call of its own (callgrind records it as one).  First line: "unchecked_calls total_calls
share_percent".

With --reasons, then one line per reason (tab-separated):

    reason  REASON  CALLS  SOLE  FUNCTIONS  TOP

CALLS: dynamic calls into checked functions that have REASON; SOLE: those
whose function has no other reason (what lifting that one rule would
free); FUNCTIONS: how many such functions ran; TOP: the three that took
the most calls, "name=calls".  A function counts under each of its
reasons, so CALLS add up to more than the checked calls; the last line,
"reason  checked  CALLS  -  FUNCTIONS  TOP", has the checked total.

With --functions FILE, every plugin-compiled function that was called,
one a line, most calls first: calls, checked|unchecked, the reasons below,
the plugin's own words, frame, region, symbol, file:line (what to look at
to move the share).

The reasons are the plugin's own (the "reasons" of each function in
.lsu.json, from its placement pass), refined with facts of the same report:
  recursion       calls itself ("recursion"), or keeps its check because it
                  calls a member of its own call-graph cycle that was not
                  compiled yet ("pending" with a "unit" call inside its
                  "cycle"): the member compiled first in every cycle;
  not-compiled    calls a function of its unit compiled after it, outside
                  any cycle with it (-O0, -fno-toplevel-reorder);
  indirect        calls through a pointer (or a TLS descriptor);
  external        calls code the plugin did not compile whose stack use is
                  not proven: the guarded request (G + R);
  external-budget calls uninstrumented code with a proven budget that may
                  call back (budget + R: malloc-free libc with callbacks,
                  the runtime's non-leaf calls);
  other-unit      calls a plugin-compiled function of another unit (R);
  depth           its region is over R although every callee is known:
                  frame and callees too deep (only when no other call
                  reason explains the depth: those all cost R or more);
  varargs, alloca, asm, comdat, check=all: as the plugin says;
  entry           a call through a checked entry: a rarely taken call
                  (GCC's estimate) to a deep function or through a pointer,
                  which checks only when it runs.
"""
import json
import re
import sys

# Reasons whose calls alone make the region exceed R: "depth" is implied.
CALL_REASONS = ("recursion", "not-compiled", "indirect", "external",
                "external-budget", "other-unit")
ORDER = ("recursion", "indirect", "external", "external-budget", "other-unit",
         "depth", "not-compiled", "varargs", "alloca", "asm", "comdat",
         "check=all", "no_split_stack", "entry")


def entry(sym):
    """A checked entry of the plugin (plugin/cold_calls.cc)."""
    return sym.endswith(".lstk_checked") or sym == "lstk.guarded_call"


def dynamic_calls(path):
    """Calls per callee name, summed over callers, from a callgrind file."""
    names = {}
    calls = {}
    fn = cfn = None
    with open(path) as fh:
        for line in fh:
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
            if m:
                ident, name = m.group(1), m.group(2)
                if name:
                    names[ident] = name.strip()
                if line.startswith("cfn="):
                    cfn = names.get(ident)
                else:
                    fn = names.get(ident)
                continue
            # an entry's jump to its target: not a call of its own
            if fn and entry(fn.split("'")[0]):
                continue
            if line.startswith("calls=") and cfn:
                # "name'2": callgrind's recursion-level suffix
                sym = cfn.split("'")[0]
                calls[sym] = calls.get(sym, 0) + int(line[6:].split()[0])
    return calls


def reasons_of(fn):
    """The refined reason set of one checked function of a report."""
    plugin = set(fn.get("reasons", []))
    why = set()
    calls = fn.get("calls", [])
    if "recursion" in plugin:
        why.add("recursion")
    if "pending" in plugin:
        # the callee's cycle is the caller's when both are in one cycle;
        # the report gives each function its cycle id (0: none)
        if fn.get("cycle", 0) and any(
                c["kind"] == "unit" and CYCLE.get((fn["_unit"], c["callee"])) == fn["cycle"]
                for c in calls):
            why.add("recursion")
        if any(c["kind"] == "unit" and
               (not fn.get("cycle", 0) or CYCLE.get((fn["_unit"], c["callee"])) != fn["cycle"])
               for c in calls):
            why.add("not-compiled")
    if "indirect" in plugin:
        why.add("indirect")
    if "external" in plugin:
        ext = [c for c in calls if c["kind"] == "external"
               and not (c.get("measured") and c.get("leaf"))]
        if any(not c.get("measured") for c in ext):
            why.add("external")
        if any(c.get("measured") for c in ext):
            why.add("external-budget")
        if not ext:
            why.add("external")
    if "other-unit" in plugin:
        why.add("other-unit")
    for word, name in (("varargs", "varargs"), ("dynamic", "alloca"),
                       ("asm", "asm"), ("comdat", "comdat"),
                       ("check=all", "check=all"),
                       ("no_split_stack", "no_split_stack")):
        if word in plugin:
            why.add(name)
    if "depth" in plugin and not why & set(CALL_REASONS):
        why.add("depth")
    return why


# (report index, symbol) -> cycle id: ids are per unit
CYCLE = {}


def main():
    args = sys.argv[1:]
    with_reasons = False
    functions_file = None
    while args and args[0].startswith("--"):
        if args[0] == "--reasons":
            with_reasons = True
            args = args[1:]
        elif args[0] == "--functions" and len(args) > 1:
            functions_file = args[1]
            args = args[2:]
        else:
            sys.exit("usage: callshare.py [--reasons] [--functions FILE] "
                     "CALLGRIND_OUT REPORT.lsu.json...")
    calls = dynamic_calls(args[0])
    fns = {}
    for unit, f in enumerate(args[1:]):
        with open(f) as fh:
            for fn in json.load(fh)["functions"]:
                fn["_unit"] = unit
                fns[fn["symbol"]] = fn
                CYCLE[(unit, fn["symbol"])] = fn.get("cycle", 0)
    total = unchecked = 0
    by_reason = {}
    checked_fns = []
    for sym, n in calls.items():
        if entry(sym):
            total += n
            checked_fns.append((n, sym))
            e = by_reason.setdefault("entry", [0, 0, []])
            e[0] += n
            e[1] += n
            e[2].append((n, sym))
            continue
        fn = fns.get(sym)
        if fn is None:
            continue
        total += n
        if not fn["checked"]:
            unchecked += n
            continue
        checked_fns.append((n, fn["name"]))
        why = reasons_of(fn)
        for r in why:
            e = by_reason.setdefault(r, [0, 0, []])
            e[0] += n
            if len(why) == 1:
                e[1] += n
            e[2].append((n, fn["name"]))
    share = 100.0 * unchecked / total if total else 0.0
    print("%d %d %.1f" % (unchecked, total, share))
    if functions_file:
        with open(functions_file, "w") as out:
            out.write("calls\tchecked\treasons\tplugin_reasons\tframe\tregion"
                      "\tfunction\tfile:line\n")
            rows = [(n, fns[sym]) for sym, n in calls.items() if sym in fns]
            for n, fn in sorted(rows, key=lambda x: (-x[0], x[1]["symbol"])):
                why = sorted(reasons_of(fn)) if fn["checked"] else []
                out.write("%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s:%d\n" % (
                    n, "checked" if fn["checked"] else "unchecked",
                    ",".join(why) or "-", ",".join(fn.get("reasons", [])) or "-",
                    fn.get("frame", 0), fn.get("region", 0), fn["symbol"],
                    fn.get("file", "?"), fn.get("line", 0)))
    if not with_reasons:
        return

    def top(lst):
        lst = sorted(lst, key=lambda x: (-x[0], x[1]))[:3]
        return " ".join("%s=%d" % (name, n) for n, name in lst) or "-"

    for r in ORDER + tuple(sorted(set(by_reason) - set(ORDER))):
        n, sole, lst = by_reason.get(r, [0, 0, []])
        print("reason\t%s\t%d\t%d\t%d\t%s" % (r, n, sole, len(lst), top(lst)))
    print("reason\tchecked\t%d\t-\t%d\t%s" % (total - unchecked, len(checked_fns),
                                            top(checked_fns)))


if __name__ == "__main__":
    main()
