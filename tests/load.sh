#!/usr/bin/env bash
# Load (issue 8): the C programs in c-tests/load/, run against our library.
#   testdrv  16 threads of random lifecycle calls and event (de)registrations on test:///default
#            with an event loop thread: only expected errors, events balanced, no fd / thread /
#            child left, memory flat from the first run of the workload to the second.
#   qemu     real qemu guests on qemu:///embed created and destroyed from several threads in
#            rounds (flags 0, GRACEFUL, frozen with SIGSTOP, killed from outside): no qemu,
#            zombie, fd, thread or runtime file left.
# Short forms by default (CI); longer on demand:
#   LOAD_SECONDS=60 LOAD_GUESTS=50 bash tests/load.sh
# Other knobs: LOAD_THREADS (16), LOAD_ROUNDS (3, the first a warm-up), LOAD_RSS_MARGIN_KB (2048), LOAD_QTHREADS (4),
# LOAD_QROUNDS (2), LOAD_SEED (1).
# usage: tests/load.sh [testdrv] [qemu]. Last line: `load: N passed, M failed`; non-zero exit on a
# failure. Without qemu the qemu part is skipped loudly (a failure under CI=true). Nothing is left
# running: stragglers of the run's directory are killed on exit, whatever happened.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=${LOAD_OUT:-$top/build/load}
mkdir -p "$out"
export LOAD_SECONDS=${LOAD_SECONDS:-20}
export LOAD_GUESTS=${LOAD_GUESTS:-10}
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
finish() { echo "load: $pass passed, $fail failed"; [ $fail = 0 ]; exit $?; }

base=$(mktemp -d /tmp/oxvirt-load.XXXXXX)
export QT_BASE=$base
# shellcheck source=tests/stragglers.sh
. "$top/tests/stragglers.sh"
cleanup() {
    local p left=""
    for p in $(stragglers); do
        left="$left $p"
        kill -9 "$p" 2>/dev/null
    done
    [ -n "$left" ] && echo "load: killed stragglers:$left"
    [ -n "${QT_KEEP:-}" ] || rm -rf "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "${QT_NO_BUILD:-}" = 1 ] || make -s lib >"$out/make.log" 2>&1 || { cat "$out/make.log"; bad "library build"; finish; }
CFLAGS="-std=gnu11 -Wall -Wextra -Werror -O1 -g"
lib=$top/build/lib
build() {
    gcc $CFLAGS -Iinclude -o "$out/$1" "c-tests/load/$1.c" -L"$lib" -lvirt -lpthread 2>"$out/$1.build.err" ||
        { cat "$out/$1.build.err"; return 1; }
}

# Runs a program (in $base) and counts its PASS/FAIL lines; a crash or timeout is a failure too.
run_checks() { # name timeout [env...]
    local name=$1 limit=$2; shift 2
    if ! build "$name"; then bad "$name: does not compile"; return; fi
    (cd "$base" && env "$@" LD_LIBRARY_PATH="$lib" timeout -k 5 "$limit" "$out/$name") \
        >"$out/$name.out" 2>"$out/$name.err"
    local rc=$? p f
    p=$(grep -c '^PASS ' "$out/$name.out")
    f=$(grep -c '^FAIL ' "$out/$name.out")
    grep -E '^(FAIL|NOTE|#) ' "$out/$name.out" | sed "s/^/  $name: /"
    pass=$((pass + p)); fail=$((fail + f))
    echo "$name: $p passed, $f failed (exit $rc)"
    if [ $rc != 0 ] && ! { [ $rc = 1 ] && [ "$f" != 0 ]; }; then
        bad "$name: exit status $rc (crash or timeout?)"; tail -5 "$out/$name.err"
    fi
}

testdrv() {
    echo "=== testdrv: ${LOAD_THREADS:-16} threads, ${LOAD_SECONDS} s on test:///default"
    # One malloc arena: with glibc's per-thread arenas the RSS of 16 busy threads drifts with
    # fragmentation while the heap in use stays flat (the program checks both); one arena makes
    # RSS a measure of our memory.
    run_checks testdrv $((LOAD_SECONDS * 3 + 120)) MALLOC_ARENA_MAX=1
}

qemu() {
    if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
        if [ "${CI:-}" = "true" ]; then bad "qemu: qemu-system-x86_64 is missing under CI"; return; fi
        echo "################################################################"
        echo "# SKIP: qemu-system-x86_64 is not installed: the qemu load test"
        echo "#       did not run"
        echo "################################################################"
        return
    fi
    export QT_QEMU=$(command -v qemu-system-x86_64)
    echo "=== qemu: ${LOAD_GUESTS} guests, ${LOAD_QTHREADS:-4} threads, ${LOAD_QROUNDS:-2} rounds"
    run_checks qemu $((LOAD_GUESTS * 30 + 300)) QT_KEEP=1 # the root stays for the find below
    # The issue's own words, on the root the program used (this script removes it on exit).
    local r files
    for r in "$base"/load.*; do
        [ -d "$r" ] || continue
        # run/qemu/autostarted is the driver's once-per-root autostart marker (the reference's
        # embedded driver leaves it too), not a guest's runtime file.
        files=$(find "$r/run" "$r/lib" \( -type f -o -type s \) ! -path "$r/run/qemu/autostarted" 2>/dev/null)
        if [ -n "$files" ]; then bad "qemu: runtime files left under $r: $files"; else ok "qemu: find run/ lib/ -type f -o -type s: nothing under $r"; fi
    done
    local left
    left=$(stragglers)
    if [ -n "$left" ]; then bad "qemu: processes left behind: $left"; else ok "qemu: no process of the run left"; fi
}

want=${*:-testdrv qemu}
for t in $want; do
    case $t in
        testdrv) testdrv ;;
        qemu) qemu ;;
        *) bad "unknown test $t" ;;
    esac
done
finish
