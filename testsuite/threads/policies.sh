#!/bin/sh
# policies.sh: the thread suite passes under every scheduling policy
# (issue 14): each thread test program runs again with LSTK_SCHED=cohort,
# srt and admit, and with the blocking graph recording under FIFO
# (LINKSTACK_GRAPH=1).  TAP output, one line per program and policy.
progs="life sync many backtrace budget memory pthread_compat graph policy"
runs="LSTK_SCHED=cohort LSTK_SCHED=srt LSTK_SCHED=admit LINKSTACK_GRAPH=1"
n=0
for _ in $progs; do for _ in $runs; do n=$((n + 1)); done; done
echo "1..$n"
i=0
for run in $runs; do
    for p in $progs; do
        i=$((i + 1))
        if out=$(env "$run" "$top_builddir/testsuite/threads/$p" 2>&1); then
            echo "ok $i - $p with $run"
        else
            echo "not ok $i - $p with $run"
            echo "$out" | grep -v '^\[----\] *$' | tail -20 | sed 's/^/# /'
        fi
    done
done
