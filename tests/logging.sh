#!/usr/bin/env bash
# Logging compared with Debian's libvirt 9.0: c-tests/logsession.c (open test:///default, lookup,
# getinfo, free, close) runs with LIBVIRT_DEBUG=1 on both libraries; the public calls' entry lines
# (function:line, level, message, with times, thread ids and addresses normalized) must be the
# same. Also: logging off writes nothing, LIBVIRT_LOG_OUTPUTS=N:file:PATH writes there, and
# LIBVIRT_LOG_FILTERS raises a source's priority. Without the reference the comparison is
# skipped loudly (a failure under CI=true).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/logging-tests
rm -rf "$out" && mkdir -p "$out"
lib=$top/build/lib
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
finish() { echo "logging: $pass passed, $fail failed"; [ $fail = 0 ]; exit $?; }

if ! [ -f /usr/include/libvirt/libvirt.h ] || ! [ -e /usr/lib/x86_64-linux-gnu/libvirt.so ]; then
    if [ "${CI:-}" = "true" ]; then echo "logging: Debian's libvirt is missing under CI"; bad reference; finish; fi
    echo "######## SKIP: Debian's libvirt (libvirt-dev) is not installed: log comparisons skipped ########"
    finish
fi
[ "${UT_NO_BUILD:-}" = 1 ] || make -s lib >"$out/make.log" 2>&1 || { cat "$out/make.log"; bad build; finish; }
gcc -std=gnu11 -Wall -Wextra -Werror -O1 -g -o "$out/session" c-tests/logsession.c -lvirt || { bad "compile logsession.c"; finish; }

# The session's public calls, and the line normalization.
public='virConnectOpen|virDomainLookupByName|virDomainGetInfo|virDomainFree|virConnectClose'
public_lines() {
    grep -E "^[0-9-]+ [0-9:.]+\+0000: [0-9]+: [a-z]+ : ($public):[0-9]+ : " "$1" |
        sed -E 's/^[0-9-]+ [0-9:.]+\+0000: [0-9]+: /TIME: TID: /; s/0x[0-9a-f]+/ADDR/g'
}
run() { # run WHO OUTFILE VAR=VALUE...
    local who=$1 file=$2; shift 2
    if [ "$who" = ours ]; then
        env -u LIBVIRT_DEBUG -u LIBVIRT_LOG_OUTPUTS -u LIBVIRT_LOG_FILTERS "$@" LD_LIBRARY_PATH="$lib" "$out/session" > "$file" 2>&1
    else
        env -u LIBVIRT_DEBUG -u LIBVIRT_LOG_OUTPUTS -u LIBVIRT_LOG_FILTERS "$@" "$out/session" > "$file" 2>&1
    fi
}

for who in ref ours; do run $who "$out/debug.$who" LIBVIRT_DEBUG=1; done
public_lines "$out/debug.ref" > "$out/debug.ref.public"
public_lines "$out/debug.ours" > "$out/debug.ours.public"
if [ -s "$out/debug.ref.public" ] && diff -u "$out/debug.ref.public" "$out/debug.ours.public"; then
    ok "LIBVIRT_DEBUG=1: the session's public-call lines are libvirt 9.0's ($(wc -l < "$out/debug.ref.public") lines)"
else
    bad "LIBVIRT_DEBUG=1: public-call lines differ from libvirt 9.0"
fi

# Our public-call lines name the function:line the reference's data records for them
# (gen/reference/entry-log-libvirt-9.0.tsv, written by gen/entrylog.py from Debian's library).
missing=$(grep -oE ": vir[A-Za-z0-9]+:[0-9]+ : " "$out/debug.ours" | sed -E 's/^: (vir[A-Za-z0-9]+):([0-9]+) : $/\1\t\2/' | sort -u |
    while IFS= read -r fl; do
        fn=${fl%%$'\t'*}
        grep -q "^$fn"$'\t' gen/reference/entry-log-libvirt-9.0.tsv || continue
        grep -q "^$fl"$'\t' gen/reference/entry-log-libvirt-9.0.tsv || echo "$fl"
    done)
if [ -z "$missing" ]; then ok "entry lines: every public function:line we log is the reference's"; else bad "entry lines not in the reference's data: $missing"; fi

for who in ref ours; do run $who "$out/off.$who"; done
if [ ! -s "$out/off.ref" ] && [ ! -s "$out/off.ours" ]; then ok "logging off: nothing written, as libvirt 9.0"; else bad "logging off wrote something"; cat "$out/off.ours"; fi

for who in ref ours; do
    run $who "$out/file.$who.stderr" LIBVIRT_DEBUG=1 LIBVIRT_LOG_OUTPUTS="1:file:$top/$out/file.$who.log"
    public_lines "$out/file.$who.log" > "$out/file.$who.public" 2>/dev/null
done
if [ ! -s "$out/file.ours.stderr" ] && [ -s "$out/file.ref.public" ] && diff -u "$out/file.ref.public" "$out/file.ours.public"; then
    ok "LIBVIRT_LOG_OUTPUTS=1:file:PATH: the same lines in the file, none on stderr"
else
    bad "LIBVIRT_LOG_OUTPUTS=1:file:PATH differs from libvirt 9.0"
fi

for who in ref ours; do
    run $who "$out/filter.$who" LIBVIRT_DEBUG=1 LIBVIRT_LOG_FILTERS="4:libvirt"
    public_lines "$out/filter.$who" > "$out/filter.$who.public"
done
if diff -u "$out/filter.ref.public" "$out/filter.ours.public" && [ ! -s "$out/filter.ours.public" ]; then
    ok "LIBVIRT_LOG_FILTERS=4:libvirt silences the public calls' debug lines, as libvirt 9.0"
else
    bad "LIBVIRT_LOG_FILTERS differs from libvirt 9.0"
fi
finish
