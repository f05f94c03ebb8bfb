#!/bin/sh
# valgrind.sh: memcheck runs linkstack programs without false reports
# (rt/stack/valgrind.c registers every stack the runtime makes) and still
# reports a real bug on a linkstack thread.  A representative subset of the
# growth, thread and I/O tests runs under memcheck (the whole suite would
# take minutes): each must pass and every process (Criterion forks one per
# test) must end with "ERROR SUMMARY: 0 errors".  Then vg-uninit, which
# branches on an uninitialised local 20 levels (several chunks) deep on a
# thread, must be reported there with a backtrace.  Skips without valgrind.
# Each line: test program, Criterion filter.  No test whose outcome depends
# on how fast threads run (memcheck is ~20x slower): sleep orders, for one.
cases='rt/grow grow/recursion_million_levels_from_1k_and_counters_return
rt/grow grow/several_os_threads_grow_independently
rt/grow grow/stack_run_nested_from_a_linked_stack
rt/guarded guarded/frames_of_g_prime_or_more_run_on_guarded_chunks
rt/jump jump/longjmp_out_of_ten_thousand_levels
threads/life life/exit_from_deep_recursion_frees_every_chunk
threads/life life/create_join_returns_results_in_fifo_order
threads/sync sync/broadcast_wakes_every_waiter
threads/sync sync/timedwait_expires_with_the_mutex_locked_again
io/echo *'
total=$(printf '%s\n' "$cases" | wc -l)
echo "1..$((total + 1))"
if [ -z "$VALGRIND" ] || ! command -v "$VALGRIND" >/dev/null 2>&1; then
    for i in $(seq 1 $((total + 1))); do
        echo "ok $i - memcheck # SKIP valgrind not installed"
    done
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vg() { # vg LOGDIR PROG ARGS...: memcheck, one log per process
    dir=$1
    shift
    mkdir -p "$dir"
    "$top_builddir/libtool" --mode=execute "$VALGRIND" -q --tool=memcheck \
        --trace-children=yes --log-file="$dir/vg.%p" "$@"
}
n=0
printf '%s\n' "$cases" | {
    while read -r prog filter; do
        n=$((n + 1))
        dir="$tmp/$n"
        out=$(vg "$dir" "$top_builddir/testsuite/$prog" --tap=- --filter="$filter" 2>&1)
        passed=$(printf '%s\n' "$out" | grep '^ok ' | grep -vc '# SKIP')
        failed=$(printf '%s\n' "$out" | grep -c '^not ok ')
        errs=$(cat "$dir"/vg.* 2>/dev/null | grep -c '^==[0-9]*== [A-Z].*')
        if [ "$passed" -ge 1 ] && [ "$failed" -eq 0 ] && [ "$errs" -eq 0 ]; then
            echo "ok $n - memcheck: $prog $filter: $passed passed, no report"
        else
            echo "not ok $n - memcheck: $prog $filter: $passed passed, $failed failed, $errs report lines"
            printf '%s\n' "$out" | grep -v '^ok ' | tail -5 | sed 's/^/# /'
            cat "$dir"/vg.* 2>/dev/null | head -40 | sed 's/^/# /'
        fi
    done
    n=$((n + 1))
    dir="$tmp/uninit"
    vg "$dir" "$top_builddir/testsuite/rt/progs/vg-uninit" >/dev/null 2>&1
    log=$(cat "$dir"/vg.* 2>/dev/null)
    if printf '%s\n' "$log" | grep -q 'depends on uninitialised value' &&
       printf '%s\n' "$log" | grep -q 'at 0x[0-9A-F]*: use_uninit (vg-uninit.c:[0-9]*)' &&
       printf '%s\n' "$log" | grep -q 'by 0x[0-9A-F]*: descend (vg-uninit.c:[0-9]*)'; then
        echo "ok $n - memcheck reports an uninitialised read on a linkstack thread, with its backtrace"
    else
        echo "not ok $n - memcheck on vg-uninit"
        printf '%s\n' "$log" | head -30 | sed 's/^/# /'
    fi
}
