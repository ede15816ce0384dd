# shellcheck shell=bash
# libvirt-qemu's monitor events on a real guest (c-tests/qemu/monevents.c, issue 18), sourced by
# tests/qemu.sh: the checks, name/case/pattern filters, per-domain callbacks, duplicates, the
# events of a suspend, resume and reset with their data, deregistration; the same output as the
# reference's embedded driver (Debian's libvirt 9.0), Debian's binary run on both and ours built
# against our headers.
monevents() {
    if ! have_ref; then
        if [ "${CI:-}" = "true" ]; then bad "monevents: Debian's libvirt with its qemu driver is missing under CI"; return; fi
        echo "######## SKIP: Debian's libvirt with its qemu driver is not installed: monevents skipped ########"
        return
    fi
    ref_setup
    gcc $CFLAGS -Iinclude -o "$out/monevents.ours" c-tests/qemu/monevents.c -L"$lib" -lvirt -lvirt-qemu -lpthread &&
        gcc $CFLAGS -o "$out/monevents.ref" c-tests/qemu/monevents.c -lvirt -lvirt-qemu -lpthread ||
        { bad "monevents: does not compile"; return; }
    local who bin lp r
    for who in ref theirs-on-ours ours; do
        case $who in
            ref) bin=monevents.ref lp= ;;
            theirs-on-ours) bin=monevents.ref lp=$lib ;;
            ours) bin=monevents.ours lp=$lib ;;
        esac
        r=$(new_root "monevents-$who")
        (cd "$base" && LD_LIBRARY_PATH="$lp" timeout -k 5 120 "$out/$bin" "qemu:///embed?root=$r") \
            >"$out/monevents.$who.out" 2>"$out/monevents.$who.err"
        echo "exit $?" >>"$out/monevents.$who.out"
        [ "$who" = ref ] && ref_leftovers monevents "$r"
    done
    if diff -u "$out/monevents.ref.out" "$out/monevents.theirs-on-ours.out" >"$out/monevents.diff" &&
        diff -u "$out/monevents.ref.out" "$out/monevents.ours.out" >>"$out/monevents.diff"; then
        ok "monevents: same as libvirt 9.0 ($(wc -l <"$out/monevents.ref.out") lines)"
    else
        bad "monevents: differs from libvirt 9.0"; head -80 "$out/monevents.diff"
    fi
}
