#!/bin/sh
# testsuite/plugin/run.sh: compile-and-check tests of the GCC plugin.
#
# Each input testsuite/plugin/*.c states its expectations in comments,
# one directive per line, in the spirit of GCC's dg-* directives:
#
#   /* { lstk-do compile } */        compile with -S (the default)
#   /* { lstk-do run } */            also link with morestack-stub.S and run:
#                                    the program prints "ok - ..." /
#                                    "not ok - ..." lines, numbered here,
#                                    and exits 0
#   /* { lstk-options "OPTS" } */    options for every compile (default -O2)
#   /* { lstk-variants "A" "B" } */  run all checks once per option set
#   /* { lstk-check F [G...] } */    F has the split-stack check: a compare
#                                    with %fs:112 and a call to __morestack
#                                    (and, if it compares r11, the lea that
#                                    computes r11 uses r10's request)
#   /* { lstk-no-check F } */        F has neither
#   /* { lstk-request F +N } */      F's request (r10 before the call to
#                                    __morestack) is N more than with plain
#                                    -fsplit-stack and no plugin
#   /* { lstk-asm F 'REGEX' } */     a line of F's assembly, tabs turned
#                                    into spaces, matches REGEX
#   /* { lstk-s 'REGEX' } */         a line of the whole assembly output,
#                                    tabs turned into spaces, matches REGEX
#   /* { lstk-message 'REGEX' } */   the compile succeeds and its stderr
#                                    matches REGEX (grep -E)
#   /* { lstk-dump PASS 'REGEX' } */ with -fdump-rtl-all-details, a line of
#                                    the dump of PASS (lstk_reserve, ...)
#                                    matches REGEX
#   /* { lstk-error 'REGEX' } */     the compile fails and its stderr
#                                    matches REGEX
#   /* { lstk-warning "REGEX" } */   on the line of the diagnostic, as GCC's
#   /* { lstk-note "REGEX" } */      dg-warning: the compile's stderr has
#                                    "FILE:LINE:COL: warning: REGEX" (or
#                                    note:) for this line; a file with any
#                                    lstk-warning also fails on a warning
#                                    no directive expects
#   /* { lstk-lsu 'REGEX' } */       with -fplugin-arg-linkstack-report in the
#   /* { lstk-json 'REGEX' } */      options: a line of <base>.lsu (or of
#                                    <base>.lsu.json) matches REGEX
#   /* { lstk-do rt-run } */         link with the real runtime (liblinkstack,
#                                    from top_builddir) instead of the stub
#                                    and run: "ok - "/"not ok - " lines as
#                                    in run mode
#   /* { lstk-env "VAR=VALUE ..." } */  environment of an rt-run program
#   /* { lstk-exit N } */            its expected exit status (default 0)
#   /* { lstk-output 'REGEX' } */    its stdout+stderr matches REGEX
#   /* { lstk-bad-args "ARGS" 'REGEX' } */
#                                    with ARGS added, the compile fails and
#                                    stderr matches REGEX; skipped if the
#                                    compiler rejects ARGS (other than
#                                    -fplugin-arg-*) without the plugin too
#                                    (e.g. -m32 without multilib support)
#
# Arguments are shell words (use single quotes for REGEX with $ or `).
# Diagnostics are compared in the C locale (ASCII quotes).  Output is TAP.
#
# Environment (set by Makefile.am's AM_TESTS_ENVIRONMENT): top_srcdir,
# top_builddir, LSTK_PLUGIN (the built linkstack.so), CC.  By hand:
#   LSTK_PLUGIN=$PWD/plugin/.libs/linkstack.so sh testsuite/plugin/run.sh [FILE.c...]

LC_ALL=C
export LC_ALL

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${LSTK_PLUGIN:=$top_builddir/plugin/.libs/linkstack.so}"
: "${CC:=gcc}"
srcdir=$top_srcdir/testsuite/plugin

if test ! -f "$LSTK_PLUGIN"; then
  echo "Bail out! plugin not found: $LSTK_PLUGIN"
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lstk-plugin.XXXXXX") || exit 1
trap 'rm -rf "$work"' 0
trap 'exit 1' INT TERM

# A run test that hangs must not hang the suite.
if command -v timeout >/dev/null 2>&1; then
  run_timeout="timeout 20"
else
  run_timeout=
fi

# Programs that run with the real runtime (rt-run) are checked at start-up
# against the libc their table's budgets were proven on (.note.linkstack
# type 3): they get the fixed table's libc leaves under a "#!libc" line
# naming the libc they link with.  Its other lines stand for runtime
# functions (R:), which the runtime would not find in itself: left out.
rt_libc=$($CC -print-file-name=libc.so.6)
rt_id=$(readelf -n "$rt_libc" 2>/dev/null \
  | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p' | head -n 1)
{ echo "#!libc ${rt_id:-0} $rt_libc"; grep ' leaf$' "$srcdir/budgets-test.txt"; } \
  > "$work/budgets-rt.txt"

n=0
# tap RESULT DESCRIPTION [DIAG-FILE]: RESULT is 0 (ok), 1 (not ok) or
# "skip:REASON".  The diagnostic file, if any, is shown after a failure.
tap ()
{
  n=$((n + 1))
  case $1 in
    0) echo "ok $n - $2" ;;
    skip:*) echo "ok $n - $2 # SKIP ${1#skip:}" ;;
    *)
      echo "not ok $n - $2"
      if test -n "$3" && test -s "$3"; then
        sed -n '1,40s/^/# /p' "$3"
      fi
      ;;
  esac
}

# directives FILE: one directive per line, "lstk-NAME ARGS".
directives ()
{
  sed -n 's/.*{ \(lstk-[a-z-]*\)\(.*\) }.*/\1\2/p' "$1"
}

# Split assembly FILE.s into one file per function, DIR/NAME (a nested
# function "inner.0" keeps its suffix; "NAME.cold" parts join NAME), and
# write DIR/table: "NAME CMP CALLS R10 LEA" per function, where CMP is the
# register compared with %fs:112 (- if none), CALLS the number of calls to
# __morestack, R10 the constant loaded into r10 before the last of them and
# LEA the N of "leaq -N(%rsp), %r11" before the compare (- if none).
split_asm ()
{
  mkdir -p "$2"
  awk -v dir="$2" '
    function flush() {
      if (cur != "")
        table[cur] = cur " " cmp[cur] " " calls[cur] " " r10[cur] " " lea[cur]
    }
    $1 == ".type" && $3 == "@function" {
      name = $2; sub(/,$/, "", name); isfn[name] = 1; next
    }
    /^[A-Za-z_$][A-Za-z0-9_.$]*:/ {
      lab = substr($0, 1, index($0, ":") - 1)
      base = lab; sub(/\.cold$/, "", base)
      flush()
      cur = (base in isfn) ? base : ""
      if (cur != "" && !(cur in cmp)) {
        cmp[cur] = "-"; calls[cur] = 0; r10[cur] = "-"; lea[cur] = "-"
        last[cur] = "-"; order[++nfn] = cur
      }
      next
    }
    $1 == ".size" { flush(); cur = ""; next }
    cur == "" { next }
    { print > (dir "/" cur) }
    /^\t(movl|movq|movabsq)\t\$-?[0-9]+, %r10d?$/ {
      v = $2; sub(/^\$/, "", v); sub(/,$/, "", v); last[cur] = v; next
    }
    /^\txorl\t%r10d, %r10d$/ { last[cur] = 0; next }
    /^\tleaq\t-[0-9]+\(%rsp\), %r11$/ {
      if (cmp[cur] == "-") {
        v = $2; sub(/^-/, "", v); sub(/\(.*/, "", v); lea[cur] = v
      }
      next
    }
    /^\tcmpq\t%fs:112, %(rsp|r11)$/ {
      v = $3; sub(/^%/, "", v); cmp[cur] = v; next
    }
    /^\tcall\t__morestack(@PLT)?$/ { calls[cur]++; r10[cur] = last[cur]; next }
    END {
      flush()
      for (i = 1; i <= nfn; i++)
        print table[order[i]] > (dir "/table")
    }
  ' "$1"
}

# fn_row DIR NAME: the table row of function NAME (or NAME.<digits>).
fn_row ()
{
  awk -v f="$2" '$1 == f || ($1 ~ "^" f "\\.[0-9]+$") { print; exit }' \
    "$1/table" 2>/dev/null
}

# fn_file DIR NAME: the assembly file of function NAME.
fn_file ()
{
  set -- "$1" "$(fn_row "$1" "$2" | cut -d' ' -f1)"
  test -n "$2" && echo "$1/$2"
}

# without_plugin_args WORDS...: WORDS minus -fplugin-arg-*.
without_plugin_args ()
{
  for w in "$@"; do
    case $w in -fplugin-arg-*) ;; *) printf '%s ' "$w" ;; esac
  done
}

# run_file FILE.c: every test point of one input.
run_file ()
{
  src=$1
  base=$(basename "$src" .c)
  mode=compile
  options=-O2
  variants=
  run_env=
  run_exit=0
  directives "$src" > "$work/$base.dir"

  while read -r name args; do
    eval "set -- $args"
    case $name in
      lstk-do) mode=$1 ;;
      lstk-env) run_env=$1 ;;
      lstk-exit) run_exit=$1 ;;
      lstk-options) options=$1 ;;
      lstk-variants)
        variants=
        for v in "$@"; do variants="$variants$v
"; done
        ;;
    esac
  done < "$work/$base.dir"
  test -n "$variants" || variants="
"

  printf '%s' "$variants" | while IFS= read -r variant; do
    run_variant "$src" "$base" "$mode" "$options $variant" "$variant"
  done
}

# run_variant FILE.c BASE MODE OPTIONS VARIANT-LABEL
run_variant ()
{
  src=$1 base=$2 mode=$3 opts=$4
  label="$base.c${5:+ $5}"
  w=$work/$base$(echo "$5" | tr -c 'A-Za-z0-9\n' '_')
  mkdir -p "$w"
  plugin="-fplugin=$LSTK_PLUGIN"
  # A fixed budgets table (budgets-test.txt) unless the test names one.
  case $opts,$mode in
    *-fplugin-arg-linkstack-budgets=*) ;;
    *,rt-run) plugin="$plugin -fplugin-arg-linkstack-budgets=$work/budgets-rt.txt" ;;
    *) plugin="$plugin -fplugin-arg-linkstack-budgets=$srcdir/budgets-test.txt" ;;
  esac
  # A fixed list of libc names (libc-names-test.txt) likewise.
  case $opts in
    *-fplugin-arg-linkstack-libc-names=*) ;;
    *) plugin="$plugin -fplugin-arg-linkstack-libc-names=$srcdir/libc-names-test.txt" ;;
  esac
  inc="-I$srcdir -I$top_srcdir/include"
  expect_fail=false
  grep -q '^lstk-error' "$work/$base.dir" && expect_fail=true

  # The compile with the plugin, to assembly.
  # shellcheck disable=SC2086
  $CC $inc $plugin $opts -S "$src" -o "$w/out.s" < /dev/null \
    > "$w/cc.err" 2>&1
  rc=$?
  if $expect_fail; then
    :
  elif test $rc -eq 0; then
    tap 0 "$label: compiles"
    split_asm "$w/out.s" "$w/fn"
  else
    tap 1 "$label: compiles" "$w/cc.err"
  fi

  ref_done=false
  while read -r name args; do
    eval "set -- $args"
    case $name in
      lstk-check)
        for f in "$@"; do
          row=$(fn_row "$w/fn" "$f")
          set -- $row
          ok=1
          if test $# -eq 5 && test "$2" != - && test "$3" -ge 1; then
            ok=0
            # A compare of r11 must see the request r10 carries.
            if test "$2" = r11 && test "$5" != "$4"; then ok=1; fi
          fi
          echo "$row" > "$w/diag"
          tap $ok "$label: $f has a stack check" "$w/diag"
        done
        ;;
      lstk-no-check)
        row=$(fn_row "$w/fn" "$1")
        set -- "$1" $row
        ok=1
        if test $# -eq 6 && test "$3" = - && test "$4" -eq 0; then ok=0; fi
        tap $ok "$label: $1 has no stack check"
        ;;
      lstk-request)
        if ! $ref_done; then
          ref_done=true
          # shellcheck disable=SC2086
          $CC $inc $(without_plugin_args $opts) -fsplit-stack -S "$src" \
            -o "$w/ref.s" < /dev/null > "$w/ref.err" 2>&1 \
            && split_asm "$w/ref.s" "$w/ref"
        fi
        f=$1 delta=${2#+}
        got=$(fn_row "$w/fn" "$f" | cut -d' ' -f4)
        ref=$(fn_row "$w/ref" "$f" | cut -d' ' -f4)
        echo "request with the plugin: ${got:-none}, with -fsplit-stack:" \
          "${ref:-none}, expected difference: $delta" > "$w/diag"
        ok=1
        case $got,$ref in
          *[!0-9,]*|,*|*,) ;;		# a request missing: not ok
          *) test $((got - ref)) -eq "$delta" && ok=0 ;;
        esac
        tap $ok "$label: $f requests $2 bytes" "$w/diag"
        ;;
      lstk-asm)
        file=$(fn_file "$w/fn" "$1")
        ok=1
        test -n "$file" && tr '\t' ' ' < "$file" | grep -Eq -- "$2" && ok=0
        tap $ok "$label: $1 assembly has /$2/" "$file"
        ;;
      lstk-dump)
        if ! test -d "$w/dump"; then
          mkdir -p "$w/dump"
          # shellcheck disable=SC2086
          $CC $inc $plugin $opts -fdump-rtl-all-details -dumpdir "$w/dump/" \
            -S "$src" -o "$w/dump/out.s" < /dev/null > "$w/dump.err" 2>&1
        fi
        ok=1
        set -- "$1" "$2" "$(ls "$w/dump/"*".$1" 2>/dev/null | head -n 1)"
        test -n "$3" && grep -Eq -- "$2" "$3" && ok=0
        tap $ok "$label: $1 dump has /$2/" "$w/dump.err"
        ;;
      lstk-message)
        ok=1
        test $rc -eq 0 && grep -Eq -- "$1" "$w/cc.err" && ok=0
        tap $ok "$label: message /$1/" "$w/cc.err"
        ;;
      lstk-s)
        ok=1
        tr '\t' ' ' < "$w/out.s" | grep -Eq -- "$1" && ok=0
        tap $ok "$label: assembly has /$1/"
        ;;
      lstk-lsu|lstk-json)
        f=$w/out.lsu
        test "$name" = lstk-json && f=$w/out.lsu.json
        ok=1
        # \t in the pattern is a tab (the .lsu columns).
        re=$(printf '%s' "$1" | sed "s/\\\\t/$(printf '\t')/g")
        test -f "$f" && grep -Eq -- "$re" "$f" && ok=0
        tap $ok "$label: ${name#lstk-} has /$1/" "$f"
        ;;
      lstk-error)
        ok=1
        test $rc -ne 0 && grep -Eq -- "$1" "$w/cc.err" && ok=0
        tap $ok "$label: fails with /$1/" "$w/cc.err"
        ;;
      lstk-bad-args)
        bad=$1 re=$2
        # shellcheck disable=SC2086
        others=$(without_plugin_args $bad)
        if test -n "$others" \
           && ! $CC $inc $(without_plugin_args $opts) $others -S "$src" \
                -o /dev/null < /dev/null > "$w/pre.err" 2>&1; then
          tap "skip:$CC rejects $others" "$label: $bad fails"
          continue
        fi
        # shellcheck disable=SC2086
        if $CC $inc $plugin $opts $bad -S "$src" -o /dev/null \
             < /dev/null > "$w/bad.err" 2>&1; then
          tap 1 "$label: $bad fails (it compiled)" "$w/bad.err"
        else
          ok=1
          grep -Eq -- "$re" "$w/bad.err" && ok=0
          tap $ok "$label: $bad fails with /$re/" "$w/bad.err"
        fi
        ;;
    esac
  done < "$work/$base.dir"

  check_diagnostics "$src" "$base" "$w" "$label"

  case $mode in run|rt-run) ;; *) return 0 ;; esac
  test $rc -eq 0 || { tap 1 "$label: runs (did not compile)"; return 0; }

  if test "$mode" = run; then
    # shellcheck disable=SC2086
    if ! $CC $inc $plugin $opts "$src" "$srcdir/morestack-stub.S" \
           -o "$w/prog" < /dev/null > "$w/ld.err" 2>&1; then
      tap 1 "$label: links with the stub __morestack" "$w/ld.err"
      return 0
    fi
  else
    # shellcheck disable=SC2086
    if ! $CC $inc -I"$top_srcdir/include" $plugin $opts "$src" \
           -L"$top_builddir/.libs" -llinkstack \
           -Wl,-rpath,"$top_builddir/.libs" -Wl,-z,now \
           -o "$w/prog" < /dev/null > "$w/ld.err" 2>&1; then
      tap 1 "$label: links with liblinkstack" "$w/ld.err"
      return 0
    fi
  fi
  # shellcheck disable=SC2086
  env $run_env $run_timeout "$w/prog" < /dev/null > "$w/prog.out" \
    2> "$w/prog.err"
  status=$?
  while read -r name args; do
    eval "set -- $args"
    case $name in
      lstk-output)
        ok=1
        cat "$w/prog.out" "$w/prog.err" | grep -Eq -- "$1" && ok=0
        cat "$w/prog.out" "$w/prog.err" > "$w/prog.all"
        tap $ok "$label: output /$1/" "$w/prog.all"
        ;;
    esac
  done < "$work/$base.dir"
  while IFS= read -r line; do
    case $line in
      "ok - "*) tap 0 "$label: ${line#ok - }" ;;
      "not ok - "*) tap 1 "$label: ${line#not ok - }" ;;
    esac
  done < "$w/prog.out"
  test $status -eq "$run_exit"
  tap $? "$label: exits with status $run_exit (status $status)" "$w/prog.err"
}

# check_diagnostics FILE.c BASE WORKDIR LABEL: the lstk-warning and
# lstk-note directives (same line), and no unexpected warning.
check_diagnostics ()
{
  cd_src=$1 cd_base=$2 cd_w=$3 cd_label=$4
  grep -n '{ lstk-\(warning\|note\) ' "$cd_src" \
    | sed 's/^\([0-9]*\):.*{ lstk-\(warning\|note\) \(.*\) }.*/\1 \2 \3/' \
    > "$cd_w/diag.dir"
  test -s "$cd_w/diag.dir" || return 0
  while read -r line kind args; do
    eval "set -- $args"
    ok=1
    grep -Eq -- "$cd_base\.c:$line:[0-9]+: $kind: $1" "$cd_w/cc.err" && ok=0
    tap $ok "$cd_label: $kind at line $line: /$1/" "$cd_w/cc.err"
  done < "$cd_w/diag.dir"
  if grep -q ' warning ' "$cd_w/diag.dir"; then
    : > "$cd_w/excess"
    grep -E "$cd_base\.c:[0-9]+:[0-9]+: warning: " "$cd_w/cc.err" \
      | while IFS= read -r d; do
      l=$(echo "$d" | sed 's/.*\.c:\([0-9]*\):[0-9]*: warning: .*/\1/')
      awk -v l="$l" '$1 == l && $2 == "warning" { f = 1 } END { exit !f }' \
        "$cd_w/diag.dir" || echo "$d" >> "$cd_w/excess"
    done
    ok=0
    test -s "$cd_w/excess" && ok=1
    tap $ok "$cd_label: no unexpected warnings" "$cd_w/excess"
  fi
}

if test $# -gt 0; then
  inputs="$*"
else
  inputs=$(ls "$srcdir"/*.c)
fi

# Test points are numbered at the end: run_file runs its variants in a
# pipeline (a subshell), where a counter would not survive.
for f in $inputs; do
  run_file "$f"
done > "$work/tap"
total=$(grep -Ec '^(not )?ok ' "$work/tap")
awk '/^ok [0-9]+/ { sub(/^ok [0-9]+/, "ok " (++i)) }
     /^not ok [0-9]+/ { sub(/^not ok [0-9]+/, "not ok " (++i)) }
     { print }' "$work/tap"
echo "1..$total"
exit 0
