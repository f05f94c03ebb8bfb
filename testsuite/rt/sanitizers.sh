#!/bin/sh
# sanitizers.sh: AddressSanitizer and ThreadSanitizer on linkstack programs
# (rt/stack/sanitizer.c, rt/thread/sanitizer.c; README, "Debugging").  The
# programs (testsuite/rt/progs/san-*) are built here with the plugin and
# -fsanitize=..., as a user would, and linked with the built liblinkstack.
#   ASan: growth (1M-level recursion, VLAs across chunks, longjmp out of
#   deep recursion), C++ exceptions across chunks, threads and I/O: "ok"
#   and no report at all (not the "ASan is ignoring requested
#   __asan_handle_no_return" warning either); a stack-buffer-overflow and
#   a heap-use-after-free on a thread several chunks deep: reported with
#   their kind, line and (stack) frame and variable.
#   ASan, too: the runtime's own Criterion tests of threads, sync, jumps,
#   signals and I/O, built with -fsanitize=address: all pass, no report
#   (LeakSanitizer included).
#   (Not the growth and memory tests: they count chunks and bytes, which
#   differ when instrumented functions run on guarded chunks; nor under
#   TSan: Criterion cannot map its arena in TSan's address space.)
#   TSan: the same thread and I/O program: no report; a race between two
#   linkstack threads: reported, in bump.
# Each part skips with a message when its sanitizer's library is missing.
srcdir=$top_srcdir/testsuite/rt/progs
lib=$top_builddir/.libs
echo "1..10"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CXX=${CXX:-g++}
# build COMPILER SAN SRC OUT
build() {
    $1 -g -O1 -fsanitize=$2 -fno-omit-frame-pointer -fplugin="$LSTK_PLUGIN" \
        -I"$top_srcdir/include" "$3" -o "$4" -L"$lib" -llinkstack \
        -Wl,-z,now -Wl,-rpath,"$lib" >"$4.log" 2>&1
}
# works SAN: a trivial program builds and runs with that sanitizer.
works() {
    echo 'int main(void) { return 0; }' >"$tmp/probe.c"
    $CC -fsanitize=$1 "$tmp/probe.c" -o "$tmp/probe-$1" >/dev/null 2>&1 &&
        "$tmp/probe-$1" >/dev/null 2>&1
}
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { # notok WHAT FILE...
    n=$((n + 1)); echo "not ok $n - $1"; shift
    cat "$@" 2>/dev/null | head -40 | sed 's/^/# /'
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# clean NAME SAN COMPILER SRC FILE: builds, runs, expects "ok" and no report.
clean() {
    out=$tmp/$5
    if ! build "$3" "$2" "$4" "$out"; then
        notok "$1: does not build" "$out.log"
        return
    fi
    # halt_on_error: the first report ends the run; exitcode 66 says so.
    ASAN_OPTIONS=halt_on_error=1 \
    TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
        "$out" >"$out.out" 2>"$out.err"
    rc=$?
    if [ $rc -eq 0 ] && grep -qx ok "$out.out" && ! [ -s "$out.err" ]; then
        ok "$1: runs right, no report"
    else
        notok "$1: exit $rc, $(grep -c . "$out.err") lines on stderr" "$out.out" "$out.err"
    fi
}

if works address; then
    clean "ASan growth: 1M levels, VLAs, longjmp" address "$CC" "$srcdir/san-growth.c" growth
    if command -v "$CXX" >/dev/null 2>&1; then
        clean "ASan C++ exceptions across chunks" address "$CXX" "$srcdir/san-exceptions.cc" exceptions
    else
        skip "ASan C++ exceptions" "no C++ compiler"
    fi
    clean "ASan threads and I/O" address "$CC" "$srcdir/san-threads.c" asan-threads
    out=$tmp/bad
    if build "$CC" address "$srcdir/san-bad.c" "$out"; then
        sbo=$(grep -n 'SBO-LINE' "$srcdir/san-bad.c" | cut -d: -f1)
        uaf=$(grep -n 'UAF-LINE' "$srcdir/san-bad.c" | cut -d: -f1)
        ASAN_OPTIONS=detect_leaks=0 "$out" >/dev/null 2>"$out.sbo"
        if grep -q 'ERROR: AddressSanitizer: stack-buffer-overflow' "$out.sbo" &&
           grep -q "#0 0x[0-9a-f]* in overflow .*san-bad.c:$sbo" "$out.sbo" &&
           grep -q 'is located in stack of thread T0 at offset [0-9]* in frame' "$out.sbo" &&
           grep -q "'buf'.*overflows this variable" "$out.sbo" &&
           grep -q ' in __morestack ' "$out.sbo"; then
            ok "ASan reports a stack-buffer-overflow on a thread: line $sbo, frame overflow, variable buf, backtrace across chunks"
        else
            notok "ASan stack-buffer-overflow report" "$out.sbo"
        fi
        ASAN_OPTIONS=detect_leaks=0 "$out" uaf >/dev/null 2>"$out.uaf"
        if grep -q 'ERROR: AddressSanitizer: heap-use-after-free' "$out.uaf" &&
           grep -q "#0 0x[0-9a-f]* in use_freed .*san-bad.c:$uaf" "$out.uaf" &&
           grep -q 'freed by thread T0 here' "$out.uaf"; then
            ok "ASan reports a heap-use-after-free on a thread: line $uaf, where it was freed"
        else
            notok "ASan heap-use-after-free report" "$out.uaf"
        fi
    else
        notok "ASan san-bad: does not build" "$out.log"
        notok "ASan san-bad: does not build" "$out.log"
    fi
    # The warning the issue started from, on the programs above.
    if ! grep -l 'ignoring requested __asan_handle_no_return' "$tmp"/*.err "$tmp"/bad.* >/dev/null 2>&1; then
        ok "no \"ASan is ignoring requested __asan_handle_no_return\" anywhere"
    else
        notok "ASan gave up on __asan_handle_no_return" "$tmp"/*.err
    fi
    # The runtime's own tests.
    crit_ok=0 crit_fail=0 crit_msg=
    for t in threads/life threads/sync threads/pthread_compat rt/jump rt/signals \
             io/echo io/errors io/intercept; do
        out=$tmp/crit-$(echo $t | tr / -)
        if ! $CC -g -O1 -fsanitize=address -fplugin="$LSTK_PLUGIN" \
                -I"$top_srcdir/include" -I"$top_srcdir/testsuite/$(dirname $t)" \
                -I"$top_srcdir/testsuite" -I"$top_builddir" $CRITERION_CFLAGS \
                "$top_srcdir/testsuite/$t.c" -o "$out" -L"$lib" -llinkstack \
                $CRITERION_LIBS $UNWIND_LIBS -Wl,-z,now -Wl,-rpath,"$lib" \
                >"$out.log" 2>&1; then
            crit_fail=$((crit_fail + 1)); crit_msg="$crit_msg $t:build"
            continue
        fi
        "$out" --tap=- -j1 >"$out.out" 2>"$out.err"
        if [ $? -eq 0 ] && ! grep -q '^not ok' "$out.out" &&
           ! grep -q 'AddressSanitizer' "$out.err"; then
            crit_ok=$((crit_ok + $(grep -c '^ok' "$out.out")))
        else
            crit_fail=$((crit_fail + 1)); crit_msg="$crit_msg $t"
        fi
    done
    if [ -z "$CRITERION_LIBS" ]; then
        skip "ASan: the runtime's Criterion tests" "no Criterion"
    elif [ $crit_fail -eq 0 ] && [ $crit_ok -gt 30 ]; then
        ok "ASan: $crit_ok Criterion tests of threads, sync, jumps, signals and I/O pass, no report"
    else
        notok "ASan: Criterion tests:$crit_msg" $(for t in $crit_msg; do f=$tmp/crit-$(echo ${t%:build} | tr / -); echo "$f.log" "$f.out" "$f.err"; done)
    fi
else
    for w in growth exceptions threads sbo uaf no_return criterion; do
        skip "ASan $w" "-fsanitize=address does not work here (Debian: libasan8)"
    done
fi

if works thread; then
    clean "TSan threads and I/O" thread "$CC" "$srcdir/san-threads.c" tsan-threads
    out=$tmp/race
    if build "$CC" thread "$srcdir/san-race.c" "$out"; then
        "$out" >/dev/null 2>"$out.err"
        if grep -q 'WARNING: ThreadSanitizer: data race' "$out.err" &&
           grep -q '#0 bump .*san-race.c' "$out.err"; then
            ok "TSan reports the race between two linkstack threads in bump"
        else
            notok "TSan race report" "$out.err"
        fi
    else
        notok "TSan san-race: does not build" "$out.log"
    fi
    # One more check on the race program: a lstk mutex around the increment
    # silences it (happens-before through lstk_mutex_unlock -> lock).
    sed -e 's/shared++; \/\* the race \*\//{ lstk_mutex_lock(\&mu); shared++; lstk_mutex_unlock(\&mu); }/' \
        -e 's/^int shared;/int shared; static lstk_mutex_t mu;/' \
        "$srcdir/san-race.c" >"$tmp/norace.c"
    if build "$CC" thread "$tmp/norace.c" "$tmp/norace" &&
       TSAN_OPTIONS=exitcode=66 "$tmp/norace" >/dev/null 2>"$tmp/norace.err" &&
       ! [ -s "$tmp/norace.err" ]; then
        ok "TSan: the same increments under an lstk mutex report nothing"
    else
        notok "TSan: the increments under an lstk mutex" "$tmp/norace.log" "$tmp/norace.err"
    fi
else
    for w in threads race mutex; do
        skip "TSan $w" "-fsanitize=thread does not work here (Debian: libtsan2)"
    done
fi
