#!/usr/bin/env python3
"""Compares the outputs of a flags probe (gen/flagsprobe.py) run on the reference, on ours, and
the reference-built program on ours: one PASS/FAIL/XFAIL line per function and flags value.
A refusal must be a refusal with the same code, domain and return; an `unsupported flags` message
must be the very same text. Used by tests/faults.sh (test driver) and tests/qemu.sh (qemu).

usage: gen/flagscompare.py REF OURS THEIRS-ON-OURS "KNOWN_DIFF_FUNCTIONS" """
import re, sys
def load(p):
    d = {}
    for line in open(p):
        m = re.match(r"(\w+) flags=(\S+) ret=(\S+) (.*)", line.rstrip("\n"))
        if m:
            d[(m.group(1), m.group(2))] = (m.group(3), m.group(4))
    return d
ref, ours, tho = load(sys.argv[1]), load(sys.argv[2]), load(sys.argv[3])
known = set(sys.argv[4].split())
differs = set()
def fields(rest):
    m = re.match(r"code=(\d+) domain=(\d+) msg=(.*)", rest)
    return m.groups() if m else (None, None, rest)
for key in sorted(ref):
    name, flags = key
    rret, rrest = ref[key]
    for who, got in (("ours", ours), ("theirs-on-ours", tho)):
        if key not in got:
            print(f"FAIL flags {name}({flags}) [{who}]: no answer (crash?)")
            continue
        oret, orest = got[key]
        rc, rd, rm = fields(rrest)
        oc, od, om = fields(orest)
        errors = []
        if rret in ("-1", "NULL") and (oret != rret or oc is None):
            errors.append("not a failure with an error set")
        if (oret, oc, od) != (rret, rc, rd):
            errors.append("code/domain/return differ")
        if rm and rm.startswith("unsupported flags") and om != rm:
            errors.append("message differs")
        what = f"flags {name}({flags}) [{who}]: ref ret={rret} {rrest} | got ret={oret} {orest}"
        if not errors:
            print(f"PASS flags {name}({flags}) [{who}]: ret={oret} code={oc} domain={od}, as the reference")
        elif name in known:
            differs.add(name)
            print(f"XFAIL {what}  [known bug: {', '.join(errors)}]")
        else:
            differs.add(name)
            print(f"FAIL {what}  [{', '.join(errors)}]")
for name in sorted(known - differs):
    print(f"NOTE {name} now matches the reference: remove it from KNOWN_FLAG_DIFFS")
