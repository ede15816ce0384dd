#!/usr/bin/env python3
"""Prints the identifiers libvirt's headers declare or use, from `gcc -E` output on stdin.

Only the lines that come from the header directory given as argv[1] count (the linemarkers
tell), string literals are dropped: what remains is every name the headers put in front of a
C program (types, tags, enumerators, functions, fields, parameters, keywords), one per line,
sorted. tests/headers.sh diffs Debian's list with ours."""
import re
import sys

root = sys.argv[1].rstrip("/") + "/"
names = set()
keep = False
for line in sys.stdin:
    m = re.match(r'# \d+ "([^"]*)"', line)
    if m:
        keep = m.group(1).startswith(root)
        continue
    if keep:
        line = re.sub(r'"(\\.|[^"\\])*"', " ", line)
        line = re.sub(r"'(\\.|[^'\\])*'", " ", line)
        names.update(re.findall(r"\b[A-Za-z_]\w*\b", line))
for n in sorted(names):
    print(n)
