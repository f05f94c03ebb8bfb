#!/bin/sh
# gdb-threads.sh: tools/linkstack-gdb.py on a live process and on a core
# file of testsuite/rt/progs/gdb-threads (1,000 blocked threads):
# `info lstk-threads` lists them with their blocking functions, `lstk-bt`
# shows one three chunks deep down to its entry, and `lstk-thread` selects
# its frames so that `info locals` and `up` work there.  The core file is
# written by gdb's gcore at the same stop.  Skips without gdb.
echo "1..9"
if [ -z "$GDB" ] || ! command -v "$GDB" >/dev/null 2>&1; then
    for i in 1 2 3 4 5 6 7 8 9; do
        echo "ok $i - gdb extension # SKIP gdb not installed"
    done
    exit 0
fi
prog="$top_builddir/testsuite/rt/progs/gdb-threads"
script="$top_srcdir/tools/linkstack-gdb.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The deep thread is id 2 (main is 1, ids count in creation order).
gdb_run() {
    "$top_builddir/libtool" --mode=execute "$GDB" -nx -batch \
        -iex "set auto-load no" -ex "source $script" "$@" 2>&1
}

live=$(gdb_run -ex 'break all_blocked' -ex run \
    -ex 'info lstk-threads' -ex 'lstk-bt 2' -ex 'lstk-thread 2' \
    -ex 'frame function deep_bottom' -ex 'info locals' -ex up \
    -ex "gcore $tmp/core" "$prog")
core=$(gdb_run -ex "core-file $tmp/core" \
    -ex 'info lstk-threads' -ex 'lstk-bt 2' -ex 'lstk-thread 2' \
    -ex 'frame function deep_bottom' -ex 'info locals' -ex up "$prog")

n=0
check() { # check TEXT WHAT
    out=$1
    n=$((n + 1))
    blocked=$(printf '%s\n' "$out" | grep -c '^ *[0-9][0-9]* blocked ')
    m=$(printf '%s\n' "$out" | grep ' blocked ' | grep -c 'wait_mutex at gdb-threads.c:[0-9].*(lstk_mutex_lock)')
    c=$(printf '%s\n' "$out" | grep ' blocked ' | grep -c 'wait_cond at gdb-threads.c:[0-9].*(lstk_cond_wait)')
    s=$(printf '%s\n' "$out" | grep ' blocked ' | grep 'timer' | grep -c 'wait_sleep at gdb-threads.c:[0-9]')
    p=$(printf '%s\n' "$out" | grep ' blocked ' | grep 'fd [0-9]* in' | grep -c 'wait_pipe at gdb-threads.c:[0-9].*(lstk_read)')
    j=$(printf '%s\n' "$out" | grep ' blocked ' | grep 'join #2' | grep -c 'wait_join at')
    if [ "$blocked" -eq 1000 ] && [ "$m" -eq 250 ] && [ "$c" -eq 250 ] &&
       [ "$s" -eq 250 ] && [ "$p" -eq 248 ] && [ "$j" -eq 1 ]; then
        echo "ok $n - $2: info lstk-threads lists 1000 blocked threads and where each blocks"
    else
        echo "not ok $n - $2: info lstk-threads: $blocked blocked; mutex $m cond $c sleep $s pipe $p join $j"
        printf '%s\n' "$out" | grep -v ' blocked ' | tail -30 | sed 's/^/# /'
        printf '%s\n' "$out" | grep ' blocked ' | head -5 | sed 's/^/# /'
    fi

    n=$((n + 1))
    bt=$(printf '%s\n' "$out" | sed -n '/^lstk thread 2 /,/^[^#]/p')
    ms=$(printf '%s\n' "$bt" | grep -c ' in __morestack')
    dd=$(printf '%s\n' "$bt" | grep -c ' in deep_descend at gdb-threads.c')
    if [ "$ms" -ge 2 ] && [ "$dd" -eq 41 ] &&
       printf '%s\n' "$bt" | grep -q ' in deep_bottom at gdb-threads.c' &&
       printf '%s\n' "$bt" | grep -q ' in lstk_mutex_lock' &&
       printf '%s\n' "$bt" | grep -q ' in deep_entry at gdb-threads.c'; then
        echo "ok $n - $2: lstk-bt crosses $ms chunk boundaries from lstk_mutex_lock to deep_entry"
    else
        echo "not ok $n - $2: lstk-bt ($ms __morestack frames, $dd deep_descend frames)"
        printf '%s\n' "$bt" | head -20 | sed 's/^/# /'
    fi

    n=$((n + 1))
    if printf '%s\n' "$out" | grep -q '^marker = 4242$'; then
        echo "ok $n - $2: info locals in a suspended thread's frame"
    else
        echo "not ok $n - $2: info locals in deep_bottom"
        printf '%s\n' "$out" | grep -v ' blocked ' | grep -v '^#' | tail -15 | sed 's/^/# /'
    fi

    n=$((n + 1))
    if printf '%s\n' "$out" | grep -q '^#[0-9]*  *0x[0-9a-f]* in deep_descend (.*) at '; then
        echo "ok $n - $2: up from a suspended thread's frame reaches its caller"
    else
        echo "not ok $n - $2: up from deep_bottom"
        printf '%s\n' "$out" | grep -v ' blocked ' | grep -v '^#[0-9]* *0x' | tail -8 | sed 's/^/# /'
    fi
}
check "$live" "live process"
if [ -s "$tmp/core" ]; then
    check "$core" "core file"
else
    for i in 5 6 7 8; do echo "not ok $i - core file: gcore wrote none"; done
    printf '%s\n' "$live" | tail -5 | sed 's/^/# /'
fi

# Before main's first lstk_yield every thread is created and none has run.
early=$(gdb_run -ex 'break lstk_yield' -ex run -ex 'info lstk-threads' "$prog")
ns=$(printf '%s\n' "$early" | grep -c '^ *[0-9][0-9]* runnable .*(not started: wait_mutex)')
if [ "$ns" -eq 250 ] &&
   printf '%s\n' "$early" | grep -q '^ *2 runnable .*(not started: deep_entry)'; then
    echo "ok 9 - threads that never ran are named by their entry function"
else
    echo "not ok 9 - not-started threads ($ns wait_mutex)"
    printf '%s\n' "$early" | head -12 | sed 's/^/# /'
fi
