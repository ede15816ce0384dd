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
    local mode
    for mode in ${QT_BLOCK_JOBS_MODES:-peek jobs}; do
        three_way blockjobs "$mode" 80
    done
}
