# shellcheck shell=bash
# Descriptors on real guests (issue 18), sourced by tests/qemu.sh: c-tests/qemu/graphicsfd.c
# (virDomainOpenGraphicsFD and virDomainOpenGraphics hand out sockets that greet like a VNC
# server) and c-tests/qemu/qemufds.c (libvirt-qemu's virDomainQemuMonitorCommandWithFiles with
# add-fd and query-fdsets, virDomainFDAssociate), with the reference's errors; the same output
# as the reference's embedded driver (Debian's libvirt 9.0), Debian's binary run on both and
# ours built against our headers. qemu's own numbers (command ids, its descriptors) are masked.
fd_program() { # program
    local prog=$1 who bin lp r
    if ! have_ref; then
        if [ "${CI:-}" = "true" ]; then bad "$prog: Debian's libvirt with its qemu driver is missing under CI"; return; fi
        echo "######## SKIP: Debian's libvirt with its qemu driver is not installed: $prog skipped ########"
        return
    fi
    ref_setup
    gcc $CFLAGS -Iinclude -o "$out/$prog.ours" "c-tests/qemu/$prog.c" -L"$lib" -lvirt -lvirt-qemu -lpthread &&
        gcc $CFLAGS -o "$out/$prog.ref" "c-tests/qemu/$prog.c" -lvirt -lvirt-qemu -lpthread ||
        { bad "$prog: does not compile"; return; }
    for who in ref theirs-on-ours ours; do
        case $who in
            ref) bin=$prog.ref lp= ;;
            theirs-on-ours) bin=$prog.ref lp=$lib ;;
            ours) bin=$prog.ours lp=$lib ;;
        esac
        r=$(new_root "$prog-$who")
        (cd "$base" && LD_LIBRARY_PATH="$lp" timeout -k 5 300 "$out/$bin" "$r") \
            >"$out/$prog.$who.out" 2>"$out/$prog.$who.err"
        echo "exit $?" >>"$out/$prog.$who.out"
        sed -i -E -e "s|$r|ROOT|g" -e 's/"libvirt-[0-9]+"/"libvirt-N"/g; s/"fd":[0-9]+/"fd":N/g' \
            "$out/$prog.$who.out"
        [ "$who" = ref ] && ref_leftovers "$prog" "$r"
    done
    if diff -u "$out/$prog.ref.out" "$out/$prog.theirs-on-ours.out" >"$out/$prog.diff" &&
        diff -u "$out/$prog.ref.out" "$out/$prog.ours.out" >>"$out/$prog.diff"; then
        ok "$prog: same as libvirt 9.0 ($(wc -l <"$out/$prog.ref.out") lines)"
    else
        bad "$prog: differs from libvirt 9.0"; head -60 "$out/$prog.diff"
    fi
}
