#!/usr/bin/env python3
"""Records, from Debian's libvirt 9.0 itself, the debug line each public function logs when it is
entered: `function<TAB>line<TAB>message`, the message as the live-handle probe's arguments made it
(gen/nullprobe.py --valid-handles, run with LIBVIRT_DEBUG=1 LIBVIRT_LOG_OUTPUTS=1:stderr), with
addresses written ADDR; a function that probe does not reach (the Free/Close calls it skips, the
kinds test:///default has no object of: secrets, nwfilters, streams, network ports) is taken from
the all-NULL probe (gen/nullprobe.py). The functions neither probe sees log nothing on entry in
the reference (the error API, virTypedParams*, the event-loop callbacks' wrappers). The result, gen/reference/entry-log-libvirt-9.0.tsv, is the data our
exports' entry lines are checked against (tests/logging.sh).

Usage: gen/entrylog.py [LIVE_LOG NULL_LOG] -- with no logs, builds and runs both probes against the
reference."""
import os
import re
import subprocess
import sys
import tempfile
from apixml import Api

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "reference", "entry-log-libvirt-9.0.tsv")
LINE = re.compile(r"^\S+ \S+\+0000: \d+: debug : (vir[A-Za-z0-9]+):(\d+) : (.*)$")


def probe_log(probe_args):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            subprocess.run([sys.executable, os.path.join(HERE, "nullprobe.py"), *probe_args],
                           stdout=f, check=True)
        exe = os.path.join(tmp, "probe")
        subprocess.run(["gcc", "-std=gnu11", "-w", "-o", exe, src, "-lvirt"], check=True)
        env = dict(os.environ, LIBVIRT_DEBUG="1", LIBVIRT_LOG_OUTPUTS="1:stderr")
        env.pop("LIBVIRT_LOG_FILTERS", None)
        run = subprocess.run([exe], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             timeout=600)
        return run.stderr.decode("utf-8", "replace").splitlines()


def main():
    if len(sys.argv) > 2:
        logs = [open(path).read().splitlines() for path in sys.argv[1:3]]
    else:
        logs = [probe_log(["--valid-handles"]), probe_log([])]
    public = {fn.get("name") for fn in Api().functions}
    nulls = entry_lines(logs[1], public)
    entry = dict(nulls)
    # The live probe's line wins: its arguments show more (a domain's name and UUID). The all-NULL
    # line stays beside it: it shows how a NULL string prints (NULLSTR's `<null>` or `(null)`).
    entry.update(entry_lines(logs[0], public))
    write(entry, nulls, len(public))


def entry_lines(lines, public):
    """function -> (line, message) of each public function's first debug line in a probe's log."""
    entry = {}
    for text in lines:
        m = LINE.match(text)
        if not m or m.group(1) not in public:
            continue
        name, line, msg = m.group(1), int(m.group(2)), re.sub(r"0x[0-9a-f]{6,}", "ADDR", m.group(3))
        # The entry line is the function's first debug statement: the lowest line it logs from.
        if name not in entry or line < entry[name][0]:
            entry[name] = (line, msg)
    return entry


def write(entry, nulls, public_count):
    with open(OUT + ".tmp", "w") as f:
        f.write("# function\tline\tmessage\tmessage with every argument NULL/0 (gen/entrylog.py: Debian's "
                "libvirt 9.0, live-handle probe, else the all-NULL one)\n")
        for name in sorted(entry):
            null = nulls.get(name, (0, ""))[1]
            f.write(f"{name}\t{entry[name][0]}\t{entry[name][1]}\t{null}\n")
    os.replace(OUT + ".tmp", OUT)
    print(f"{len(entry)} of {public_count} public functions log an entry line", file=sys.stderr)


if __name__ == "__main__":
    main()
