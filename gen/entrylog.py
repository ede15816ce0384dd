#!/usr/bin/env python3
"""Records, from Debian's libvirt 9.0 itself, the debug line each public function logs when it is
entered: `function<TAB>line<TAB>message`, the message as the live-handle probe's arguments made it
(gen/nullprobe.py --valid-handles, run with LIBVIRT_DEBUG=1 LIBVIRT_LOG_OUTPUTS=1:stderr), with
addresses written ADDR. The result, gen/reference/entry-log-libvirt-9.0.tsv, is the data our
exports' entry lines are checked against (tests/logging.sh).

Usage: gen/entrylog.py [LOG] -- with no LOG, builds and runs the probe against the reference."""
import os
import re
import subprocess
import sys
import tempfile
from apixml import Api

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "reference", "entry-log-libvirt-9.0.tsv")
LINE = re.compile(r"^\S+ \S+\+0000: \d+: debug : (vir[A-Za-z0-9]+):(\d+) : (.*)$")


def probe_log():
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            subprocess.run([sys.executable, os.path.join(HERE, "nullprobe.py"), "--valid-handles"],
                           stdout=f, check=True)
        exe = os.path.join(tmp, "probe")
        subprocess.run(["gcc", "-std=gnu11", "-w", "-o", exe, src, "-lvirt"], check=True)
        env = dict(os.environ, LIBVIRT_DEBUG="1", LIBVIRT_LOG_OUTPUTS="1:stderr")
        env.pop("LIBVIRT_LOG_FILTERS", None)
        run = subprocess.run([exe], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             timeout=600)
        return run.stderr.decode("utf-8", "replace").splitlines()


def main():
    lines = open(sys.argv[1]).read().splitlines() if len(sys.argv) > 1 else probe_log()
    public = {fn.get("name") for fn in Api().functions}
    entry = {}
    for text in lines:
        m = LINE.match(text)
        if not m or m.group(1) not in public:
            continue
        name, line, msg = m.group(1), int(m.group(2)), re.sub(r"0x[0-9a-f]{6,}", "ADDR", m.group(3))
        # The entry line is the function's first debug statement: the lowest line it logs from.
        if name not in entry or line < entry[name][0]:
            entry[name] = (line, msg)
    with open(OUT + ".tmp", "w") as f:
        f.write("# function\tline\tmessage (gen/entrylog.py: Debian's libvirt 9.0, live-handle probe)\n")
        for name in sorted(entry):
            f.write(f"{name}\t{entry[name][0]}\t{entry[name][1]}\n")
    os.replace(OUT + ".tmp", OUT)
    print(f"{len(entry)} of {len(public)} public functions log an entry line", file=sys.stderr)


if __name__ == "__main__":
    main()
