#!/usr/bin/env bash
# Client configuration compared with Debian's libvirt 9.0: libvirt.conf's uri_default and
# uri_aliases, LIBVIRT_DEFAULT_URI over them, and the errors for malformed files
# (c-tests/clientconf.c opens each name given through virConnectOpen, virConnectOpenReadOnly and
# virConnectOpenAuth with and without VIR_CONNECT_NO_ALIASES). The files live in temporary
# XDG_CONFIG_HOME directories read by an unprivileged user (root reads /etc/libvirt instead: that
# case runs in a private mount namespace with an overlay on /etc, so /etc itself never changes).
# Without the reference the comparison is skipped loudly (a failure under CI=true).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/clientconf-tests
rm -rf "$out" && mkdir -p "$out"
CFLAGS="-std=gnu11 -Wall -Wextra -Werror -O1 -g"
lib=$top/build/lib
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
finish() { echo "clientconf: $pass passed, $fail failed"; [ $fail = 0 ]; exit $?; }

if ! [ -f /usr/include/libvirt/libvirt.h ] || ! [ -e /usr/lib/x86_64-linux-gnu/libvirt.so ]; then
    if [ "${CI:-}" = "true" ]; then echo "clientconf: Debian's libvirt is missing under CI"; bad reference; finish; fi
    echo "######## SKIP: Debian's libvirt (libvirt-dev) is not installed: client configuration comparisons skipped ########"
    finish
fi
[ "${UT_NO_BUILD:-}" = 1 ] || make -s lib >"$out/make.log" 2>&1 || { cat "$out/make.log"; bad build; finish; }
gcc $CFLAGS -o "$out/clientconf" c-tests/clientconf.c -lvirt || { bad "compile clientconf.c"; finish; }
gcc $CFLAGS -Iinclude -o "$out/clientconf.ours" c-tests/clientconf.c -L"$lib" -lvirt || { bad "compile clientconf.c against ours"; finish; }
gcc $CFLAGS -o "$out/authconf" c-tests/authconf.c -lvirt || { bad "compile authconf.c"; finish; }
gcc $CFLAGS -Iinclude -o "$out/authconf.ours" c-tests/authconf.c -L"$lib" -lvirt || { bad "compile authconf.c against ours"; finish; }
chmod -R a+rX "$out"

# Run as an unprivileged user when we are root, so the user's configuration directory is read.
as_user() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
    else
        "$@"
    fi
}

# compare LABEL CONFIG_TEXT NAME...: the file as $XDG_CONFIG_HOME/libvirt/libvirt.conf, each NAME
# opened on the reference, the reference's binary on ours and ours built against our headers.
compare() {
    local label=$1 text=$2; shift 2
    local dir="$out/$label"
    mkdir -p "$dir/xdg/libvirt" "$dir/home"
    if [ "$text" = DIRECTORY ]; then mkdir -p "$dir/xdg/libvirt/libvirt.conf"; else printf '%b' "$text" > "$dir/xdg/libvirt/libvirt.conf"; fi
    chmod -R a+rX "$dir"
    local run=(env -u LIBVIRT_DEFAULT_URI -u LIBVIRT_AUTH_FILE HOME="$top/$dir/home" XDG_CONFIG_HOME="$top/$dir/xdg" ${DEFAULT_URI:+LIBVIRT_DEFAULT_URI=$DEFAULT_URI})
    as_user "${run[@]}" "$out/clientconf" "$@" > "$dir/ref.out" 2>&1
    as_user "${run[@]}" LD_LIBRARY_PATH="$lib" "$out/clientconf" "$@" > "$dir/theirs-on-ours.out" 2>&1
    as_user "${run[@]}" LD_LIBRARY_PATH="$lib" "$out/clientconf.ours" "$@" > "$dir/ours.out" 2>&1
    if diff -u "$dir/ref.out" "$dir/theirs-on-ours.out" > "$dir/diff" && diff -u "$dir/ref.out" "$dir/ours.out" >> "$dir/diff"; then
        ok "libvirt.conf $label: same opens as libvirt 9.0"
    else
        bad "libvirt.conf $label: differs from libvirt 9.0"; head -30 "$dir/diff"
    fi
}

good='# aliases and a default\nuri_aliases = [\n  "hail=test:///default",\n  "sleet=test:///default?x=1",\n]\nuri_default = "hail"   # an alias itself\n'
compare good "$good" NULL "" hail sleet test:///default bogus
DEFAULT_URI=sleet compare env-over-file "$good" NULL ""
DEFAULT_URI=test:///default compare env-plain "$good" NULL
compare no-default 'uri_aliases = [ "hail=test:///default" ]\n' hail HAIL test:///default bogus
compare semicolons 'uri_default = "test:///default"; uri_aliases = [ "x=test:///default?y=2" ]  # c\n' NULL x
compare quotes "uri_default = '''test:///default'''\nuri_aliases = [ 'a=test:///default?q=1', \"\"\"b=test:///default?q=2\"\"\" ]\n" NULL a b
compare first-wins 'uri_default = "test:///default"\nuri_default = "test:///default?q=2"\n' NULL
compare empty '' test:///default x
compare comments-only '# nothing\n\n  # at all\n' test:///default
compare unterminated 'uri_default = "test:///default\n' NULL test:///default
compare no-assignment '\n\nuri_default "x"\n' NULL test:///default
compare no-value 'uri_default = \n' test:///default
compare bad-name '1abc = "x"\n' test:///default
compare list-separator 'uri_aliases = [ "a=test:///default" "b=c" ]\n' test:///default
compare list-open 'uri_aliases = [ "a=test:///default",\n' test:///default
compare statement-separator 'a = 1 b = 2\n' test:///default
compare number-default 'uri_default = 5\n' NULL test:///default
compare string-aliases 'uri_aliases = "a=test:///default"\n' a test:///default
compare number-in-aliases 'uri_aliases = [ 5 ]\n' test:///default
compare nested-list 'uri_aliases = [ [ "a=b" ] ]\n' test:///default
compare alias-without-uri 'uri_aliases = [ "hail" ]\n' test:///default
compare alias-bad-chars 'uri_aliases = [ "ok=test:///default", "ha.il=test:///default" ]\n' ok test:///default
compare bad-number 'n = -\n' test:///default
compare blank-only '\n\n' test:///default
compare directory DIRECTORY test:///default

# auth.conf, read by the test driver for a node file with <auth> users (service "test", host
# "localhost"): from $XDG_CONFIG_HOME/libvirt/auth.conf, $LIBVIRT_AUTH_FILE or the URI's authfile.
node="$top/$out/authnode.xml"
printf '<node>\n  <auth>\n    <user password="secret">alice</user>\n    <user>bob</user>\n  </auth>\n</node>\n' > "$node"
chmod a+r "$node"
# auth_compare LABEL AUTH_CONF_TEXT [VAR=VALUE...] [-- URI...]: the file as the user's auth.conf.
auth_compare() {
    local label=$1 text=$2; shift 2
    local dir="$out/auth-$label" vars=() uris=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("${1//@DIR@/$top/$dir}"); shift; done
    [ "${1:-}" = -- ] && shift
    for u in "$@"; do uris+=("${u//@DIR@/$top/$dir}"); done
    [ ${#uris[@]} = 0 ] && uris=("test://$node")
    mkdir -p "$dir/xdg/libvirt" "$dir/home"
    printf '%b' "$text" > "$dir/xdg/libvirt/auth.conf"
    chmod -R a+rX "$dir"
    local run=(env -u LIBVIRT_DEFAULT_URI -u LIBVIRT_AUTH_FILE HOME="$top/$dir/home" XDG_CONFIG_HOME="$top/$dir/xdg" "${vars[@]}")
    as_user "${run[@]}" "$out/authconf" "${uris[@]}" > "$dir/ref.out" 2>&1
    as_user "${run[@]}" LD_LIBRARY_PATH="$lib" "$out/authconf" "${uris[@]}" > "$dir/theirs-on-ours.out" 2>&1
    as_user "${run[@]}" LD_LIBRARY_PATH="$lib" "$out/authconf.ours" "${uris[@]}" > "$dir/ours.out" 2>&1
    if diff -u "$dir/ref.out" "$dir/theirs-on-ours.out" > "$dir/diff" && diff -u "$dir/ref.out" "$dir/ours.out" >> "$dir/diff"; then
        ok "auth.conf $label: same credentials as libvirt 9.0"
    else
        bad "auth.conf $label: differs from libvirt 9.0"; head -30 "$dir/diff"
    fi
}
creds='[credentials-a]\nusername=alice\npassword=secret\n'
auth_compare host "# for the test driver\n[auth-test-localhost]\ncredentials=a\n\n$creds"
auth_compare default "[auth-test-default]\ncredentials=a\n$creds"
auth_compare host-over-default "[auth-test-default]\ncredentials=b\n[auth-test-localhost]\ncredentials=a\n$creds[credentials-b]\nusername=bob\n"
auth_compare username-only "[auth-test-default]\ncredentials=u\n[credentials-u]\nusername=alice\n"
auth_compare password-only "[auth-test-default]\ncredentials=p\n[credentials-p]\npassword=secret\n"
auth_compare wrong-password "[auth-test-default]\ncredentials=w\n[credentials-w]\nusername=alice\npassword=nope\n"
auth_compare user-without-password "[auth-test-default]\ncredentials=b\n[credentials-b]\nusername=bob\n"
auth_compare other-service "[auth-ssh-default]\ncredentials=a\n$creds"
auth_compare missing-credentials-item "[auth-test-default]\nusername=alice\n"
auth_compare missing-credentials-group "[auth-test-default]\ncredentials=zz\n$creds"
auth_compare value-before-group "username=alice\n[auth-test-default]\n"
auth_compare bad-key "[auth-test-default]\ncred-entials=a\n"
auth_compare bad-statement "[auth-test-default]\n!x\n"
auth_compare unclosed-group "[auth-test-default\ncredentials=a\n"
auth_compare blank-junk "[auth-test-default]\n   x\n"
auth_compare duplicate-group "[a]\n[a]\n"
auth_compare escapes "[auth-test-default]\\ncredentials=e\\n[credentials-e]\\nusername = \\\\salice\\nusername=alice\\npassword=sec\\\\qret\\n"
auth_compare no-final-newline "[auth-test-default]\ncredentials=a\n[credentials-a]\nusername=alice\npassword=secret"
mkdir -p "$out/auth-env-file"
printf '[auth-test-default]\ncredentials=a\n[credentials-a]\nusername=alice\npassword=secret\n' > "$out/auth-env-file/env.conf"; chmod a+r "$out/auth-env-file/env.conf"
auth_compare env-file "[auth-test-default]\ncredentials=w\n[credentials-w]\nusername=alice\npassword=nope\n" LIBVIRT_AUTH_FILE=@DIR@/env.conf
auth_compare env-missing "$creds" LIBVIRT_AUTH_FILE=@DIR@/nonexistent.conf
auth_compare uri-authfile "" -- "test://$node?authfile=$top/$out/auth-env-file/env.conf"

# Root reads /etc/libvirt/libvirt.conf, whatever XDG_CONFIG_HOME says.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    layer="$out/etc-layer"
    mkdir -p "$layer/libvirt"
    printf 'uri_aliases = [ "rootalias=test:///default?root=1" ]\nuri_default = "rootalias"\n' > "$layer/libvirt/libvirt.conf"
    for who in ref ours; do
        ld=""; [ $who = ours ] && ld="$lib"
        unshare --mount --propagation private sh -c '
            mount -t overlay overlay -o "lowerdir=$1:/etc" /etc || exit 9
            env -u LIBVIRT_DEFAULT_URI XDG_CONFIG_HOME=/nonexistent LD_LIBRARY_PATH="$2" "$3" NULL rootalias' \
            sh "$top/$layer" "$ld" "$out/clientconf" > "$out/root.$who.out" 2>&1
    done
    if grep -q "uri=test:///default?root=1" "$out/root.ref.out" && diff -u "$out/root.ref.out" "$out/root.ours.out"; then
        ok "root reads /etc/libvirt/libvirt.conf as libvirt 9.0"
    else
        bad "root's /etc/libvirt/libvirt.conf differs from libvirt 9.0"; cat "$out/root.ref.out"
    fi
else
    echo "######## SKIP: not root (or no unshare): /etc/libvirt/libvirt.conf for root is not compared ########"
fi
finish
