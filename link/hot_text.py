#!/usr/bin/env python3
"""Write link/hot-text.ld: the functions link/hot-paths.c runs, laid out first in the text.

The kernel maps a shared library's code in 64 KiB windows: a function used at open costs its
whole window. Profiled with callgrind, opening test:///default and the per-domain calls run a few
hundred functions spread over some 35 windows; the linker script gathers them into one output
section (.text.hot, placed before .text), which is what keeps a process's resident memory small.

Names are matched as the compiler's section names (-ffunction-sections: .text.<symbol>). A
symbol's hash depends on its path, its generic arguments and the crate's metadata, not on the code,
so the names survive unrelated changes; LLVM's .llvm.N suffix, which does change, is a wildcard. A
function renamed since the last run is only left where the linker would have put it anyway, but
one function left out costs a whole window again: `--check` (run by tests/symbols.sh) profiles
the built library and fails when the list is not what it would write. Then:
    python3 link/hot_text.py && make lib
"""
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "link", "hot-text.ld")


def profile(lib_dir):
    """Mangled names of the functions of our libvirt.so that hot-paths.c executes."""
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "hot-paths")
        subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-I", os.path.join(TOP, "include"),
                        os.path.join(TOP, "link", "hot-paths.c"), "-o", exe,
                        "-L", lib_dir, "-lvirt"], check=True)
        out = os.path.join(tmp, "callgrind.out")
        env = dict(os.environ, LD_LIBRARY_PATH=lib_dir)
        subprocess.run(["valgrind", "-q", "--tool=callgrind", "--demangle=no",
                        f"--callgrind-out-file={out}", exe], check=True, env=env,
                       stderr=subprocess.DEVNULL)
        return functions_of(open(out).read().splitlines())


def functions_of(lines):
    """Every Rust function callgrind saw: only our library holds Rust code in the process.
    (Callgrind names each function once, in a fn= or cfn= line, then refers to it by id; its
    object attribution is not reliable for code reached through a PLT.)"""
    names = set()
    for line in lines:
        m = re.match(r"c?fn=\(\d+\) (\S+)$", line)
        if m and m.group(1).startswith(("_ZN", "_R")):
            names.add(m.group(1))
    return names


def pattern(symbol):
    """The section-name pattern for a symbol, without what changes between builds."""
    symbol = re.sub(r"'\d+$", "", symbol)  # callgrind's recursion depth
    symbol = re.sub(r"\.llvm\.\d+$", "*", symbol)
    return f".text.{symbol}"


def script(symbols):
    pats = sorted({pattern(s) for s in symbols})
    body = "\n".join(f"    *({p})" for p in pats)
    return (
        "/* Written by link/hot_text.py from a callgrind run of link/hot-paths.c: do not edit. */\n"
        "SECTIONS\n{\n  .text.hot :\n  {\n" + body + "\n  }\n}\nINSERT BEFORE .text;\n"
    )


# A few functions run or not with random values (uuid digits, map seeds): the list is the union of
# several runs, and the check tolerates that many differences.
RUNS = 3
TOLERANCE = 3


def patterns_in(text):
    return set(re.findall(r"^    \*\((.*)\)$", text, re.M))


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    lib_dir = args[0] if args else os.path.join(TOP, "build", "lib")
    if "--check" in sys.argv:
        current = patterns_in(open(OUT).read()) if os.path.exists(OUT) else set()
        now = patterns_in(script(profile(lib_dir)))
        missing, stale = now - current, current - now
        if len(missing) > TOLERANCE or len(stale) > TOLERANCE:
            print(f"{OUT} is stale: {len(missing)} hot functions not in it, {len(stale)} in it no "
                  "longer run; run python3 link/hot_text.py && make lib")
            for p in sorted(missing)[:5] + sorted(stale)[:5]:
                print("  ", p[:160])
            return 1
        print(f"{OUT}: current ({len(current)} functions; {len(missing)} + {len(stale)} differ)")
        return 0
    symbols = set()
    for _ in range(RUNS):
        symbols |= profile(lib_dir)
    text = script(symbols)
    with open(OUT + ".tmp", "w") as f:
        f.write(text)
    os.replace(OUT + ".tmp", OUT)
    print(f"{OUT}: {text.count('*(')} functions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
