# Sourced by tests/qemu.sh and tests/remote.sh: the flags probe (gen/flagsprobe.py --env-uri,
# every implemented function that takes flags, with out-of-range flags, each call in a fresh
# process) built once against our headers and once against Debian's, then its three runs
# (the reference, the reference's build on ours, ours) compared by gen/flagscompare.py.
# Uses the caller's $out, $lib, $CFLAGS, ok/bad, pass and fail.

# flags_build NAME: $out/flagsprobe-NAME.{ours,ref}; NAME.ref only when Debian's headers are there.
flags_build() {
    local src=$out/flagsprobe-$1.c
    python3 gen/flagsprobe.py --env-uri >"$src" || { bad "flags: generator"; return 1; }
    gcc $CFLAGS -Iinclude -o "$out/flagsprobe-$1.ours" "$src" -L"$lib" -lvirt -lpthread ||
        { bad "flags: does not compile against our headers"; return 1; }
    gcc $CFLAGS -o "$out/flagsprobe-$1.ref" "$src" -lvirt -lpthread ||
        { bad "flags: does not compile against Debian's headers"; return 1; }
}

# flags_run NAME WHO: the binary and library path of one of the three runs, as "BIN LIBPATH".
flags_run() {
    case $2 in
        ref) echo "$out/flagsprobe-$1.ref" ;;
        theirs-on-ours) echo "$out/flagsprobe-$1.ref $lib" ;;
        ours) echo "$out/flagsprobe-$1.ours $lib" ;;
    esac
}

# flags_tally NAME LABEL: compare the three outputs $out/flagsprobe-NAME.WHO.out and count.
flags_tally() {
    local p f
    if grep -qE "died with signal|no live handles" "$out/flagsprobe-$1.ours.out"; then
        bad "flags: crash or no handles on ours"; grep -E "died|no live" "$out/flagsprobe-$1.ours.out" | head -5
    fi
    python3 gen/flagscompare.py "$out/flagsprobe-$1.ref.out" "$out/flagsprobe-$1.ours.out" \
        "$out/flagsprobe-$1.theirs-on-ours.out" "" >"$out/flags-$1.out"
    p=$(grep -c '^PASS ' "$out/flags-$1.out"); f=$(grep -c '^FAIL ' "$out/flags-$1.out")
    grep -E '^(FAIL|NOTE) ' "$out/flags-$1.out" | sed "s/^/  flags: /"
    [ "$p" = 0 ] && bad "flags: nothing compared (the reference answered nothing?)"
    pass=$((pass + p)); fail=$((fail + f))
    echo "flags ($2): $p passed, $f failed (compared with libvirt 9.0)"
}
