#!/bin/sh
# graph-report.sh: scripts/linkstack-report reads a program's blocking
# graph (LINKSTACK_GRAPH=FILE, issue 14), names its places by function and
# file:line, and draws it as SVG.  TAP output.
prog=$top_builddir/testsuite/threads/progs/graph-prog
report=$top_srcdir/scripts/linkstack-report
dump=$top_builddir/testsuite/threads/graph-prog.graph
svg=$top_builddir/testsuite/threads/graph-prog.svg
echo "1..4"
rm -f "$dump" "$svg"
LINKSTACK_GRAPH=$dump "$prog"
if [ $? = 0 ] && grep -q '^edge ' "$dump"; then
    echo "ok 1 - LINKSTACK_GRAPH=FILE leaves the graph in FILE at exit"
else
    echo "not ok 1 - LINKSTACK_GRAPH=FILE leaves the graph in FILE at exit"
fi
out=$(${PYTHON3:-python3} "$report" --blocking "$dump" 2>&1)
# The two stages, parked at 6 times each; the workers' start; main's join.
if echo "$out" | grep -Eq 'first_stage +graph-prog.c:[0-9]+ +6 ' &&
   echo "$out" | grep -Eq 'second_stage +graph-prog.c:[0-9]+ +6 ' &&
   echo "$out" | grep -q 'start: worker' &&
   echo "$out" | grep -Eq '^[0-9]+ -> [0-9]+ +6 '; then
    echo "ok 2 - the report names each place by function and line"
else
    echo "not ok 2 - the report names each place by function and line"
    echo "$out" | sed 's/^/# /'
fi
if ! command -v addr2line >/dev/null; then
    echo "ok 3 # SKIP addr2line is not installed"
elif echo "$out" | grep -q '(exit)'; then
    echo "ok 3 - ended threads reach the exit node"
else
    echo "not ok 3 - ended threads reach the exit node"
fi
if ! command -v dot >/dev/null; then
    echo "ok 4 # SKIP graphviz's dot is not installed"
elif ${PYTHON3:-python3} "$report" --blocking "$dump" --blocking-svg "$svg" >/dev/null &&
     grep -q '<svg' "$svg" && grep -q 'first_stage' "$svg"; then
    echo "ok 4 - --blocking-svg draws it"
else
    echo "not ok 4 - --blocking-svg draws it"
fi
rm -f "$dump" "$svg"
