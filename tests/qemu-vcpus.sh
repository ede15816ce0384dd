# shellcheck shell=bash
# vCPU counts on real guests (c-tests/qemu/vcpus.c, issue 17), sourced by tests/qemu.sh:
# <vcpu current=...> and <vcpus> in the definitions, -smp, every getter's count, and
# virDomainSetVcpusFlags on the persistent definition and on the running guest (hot-plug, and
# the unplug a guest with no OS never completes), with the events; the same output as the
# reference's embedded driver (Debian's libvirt 9.0), Debian's binary run on both and ours built
# against our headers.
vcpus() {
    if ! have_ref; then
        if [ "${CI:-}" = "true" ]; then bad "vcpus: Debian's libvirt with its qemu driver is missing under CI"; return; fi
        echo "######## SKIP: Debian's libvirt with its qemu driver is not installed: vcpus skipped ########"
        return
    fi
    ref_setup
    gcc $CFLAGS -Iinclude -o "$out/vcpus.ours" c-tests/qemu/vcpus.c -L"$lib" -lvirt -lpthread &&
        gcc $CFLAGS -o "$out/vcpus.ref" c-tests/qemu/vcpus.c -lvirt -lpthread ||
        { bad "vcpus: does not compile"; return; }
    local who bin lp r
    for who in ref theirs-on-ours ours; do
        case $who in
            ref) bin=vcpus.ref lp= ;;
            theirs-on-ours) bin=vcpus.ref lp=$lib ;;
            ours) bin=vcpus.ours lp=$lib ;;
        esac
        r=$(new_root "vcpus-$who")
        (cd "$base" && LD_LIBRARY_PATH="$lp" timeout -k 5 300 "$out/$bin" "$r") \
            >"$out/vcpus.$who.out" 2>"$out/vcpus.$who.err"
        echo "exit $?" >>"$out/vcpus.$who.out"
        sed -i -e "s|$r|ROOT|g" "$out/vcpus.$who.out"
        [ "$who" = ref ] && ref_leftovers vcpus "$r"
    done
    if diff -u "$out/vcpus.ref.out" "$out/vcpus.theirs-on-ours.out" >"$out/vcpus.diff" &&
        diff -u "$out/vcpus.ref.out" "$out/vcpus.ours.out" >>"$out/vcpus.diff"; then
        ok "vcpus: same as libvirt 9.0 ($(wc -l <"$out/vcpus.ref.out") lines)"
    else
        bad "vcpus: differs from libvirt 9.0"; head -80 "$out/vcpus.diff"
    fi
}
