# shellcheck shell=bash
# Disks of running guests (c-tests/qemu/blockjobs.c, issue 17), sourced by tests/qemu.sh: block
# peeks and disk errors (mode peek), block jobs with their events and the backing chain they
# change (mode jobs); each mode on a fresh root, on the reference (Debian's libvirt 9.0), on ours
# through Debian's build and on ours; outputs compared.
block_jobs() {
    if ! have_ref || ! command -v qemu-img >/dev/null; then
        if [ "${CI:-}" = "true" ]; then bad "blockjobs: Debian's libvirt with its qemu driver or qemu-img is missing under CI"; return; fi
        echo "######## SKIP: Debian's libvirt with its qemu driver or qemu-img is not installed: blockjobs skipped ########"
        return
    fi
    ref_setup
    gcc $CFLAGS -Iinclude -o "$out/blockjobs.ours" c-tests/qemu/blockjobs.c -L"$lib" -lvirt -lpthread &&
        gcc $CFLAGS -o "$out/blockjobs.ref" c-tests/qemu/blockjobs.c -lvirt -lpthread ||
        { bad "blockjobs: does not compile"; return; }
    local mode who bin lp r attempt
    for mode in ${QT_BLOCK_JOBS_MODES:-peek jobs}; do
        for who in ref theirs-on-ours ours; do
            case $who in
                ref) bin=blockjobs.ref lp= ;;
                theirs-on-ours) bin=blockjobs.ref lp=$lib ;;
                ours) bin=blockjobs.ours lp=$lib ;;
            esac
            for attempt in 1 2; do
                r=$(new_root "blockjobs-$mode-$who")
                (cd "$base" && LD_LIBRARY_PATH=$lp timeout -k 5 300 "$out/$bin" "$mode" "$r") \
                    >"$out/blockjobs.$mode.$who.out" 2>"$out/blockjobs.$mode.$who.err"
                echo "exit $?" >>"$out/blockjobs.$mode.$who.out"
                [ "$who" = ref ] && ref_leftovers "blockjobs $mode" "$r"
                # The reference sometimes loses its own capability-probing qemu on a loaded
                # machine ("unable to wait for process N") before the program does anything:
                # measured once more on a fresh root, as tests/qemu.sh's control does.
                [ "$who" = ref ] && grep -q "unable to wait for process" "$out/blockjobs.$mode.$who.out" || break
                echo "NOTE blockjobs $mode: the reference lost its own probe's qemu; measuring it once more"
            done
            sed -i -E -e "s|$r|ROOT|g" \
                -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g' "$out/blockjobs.$mode.$who.out"
        done
        if diff -u "$out/blockjobs.$mode.ref.out" "$out/blockjobs.$mode.theirs-on-ours.out" >"$out/blockjobs.$mode.diff" &&
            diff -u "$out/blockjobs.$mode.ref.out" "$out/blockjobs.$mode.ours.out" >>"$out/blockjobs.$mode.diff"; then
            ok "blockjobs $mode: same as libvirt 9.0 ($(wc -l <"$out/blockjobs.$mode.ref.out") lines)"
        else
            bad "blockjobs $mode: differs from libvirt 9.0"; head -80 "$out/blockjobs.$mode.diff"
        fi
    done
}
