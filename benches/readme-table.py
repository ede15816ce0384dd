"""Copies the latest benchmark table (benches/results/latest.md) into README.md between markers."""
import os
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
readme = open('README.md').read()
latest = open('benches/results/latest.md').read()
head = latest.split('\n## ')[0]
meta = "\n".join(l for l in head.splitlines() if l.startswith('- **') and any(k in l for k in ('kernel', 'cpu', 'qemu', 'reference', 'ours', 'load')))
title = head.splitlines()[0].lstrip('# ').strip()
sections = latest.split('\n## ')
results = next(s for s in sections if s.startswith('Results'))
qemu = next(s for s in sections if s.startswith('qemu itself'))
table = [l for l in results.splitlines() if l.startswith('|')]
qtable = [l for l in qemu.splitlines() if l.startswith('|')]
block = f"""<!-- BEGIN benchmark table -->
Latest run: {title}.

{meta}

qemu by itself in the same run:

{chr(10).join(qtable)}

{chr(10).join(table)}

The full report, with the profile of where our own time goes, is `benches/results/latest.md`.
<!-- END benchmark table -->"""
if '<!-- BEGIN benchmark table -->' in readme:
    a = readme.index('<!-- BEGIN benchmark table -->'); b = readme.index('<!-- END benchmark table -->') + len('<!-- END benchmark table -->')
    readme = readme[:a] + block + readme[b:]
else:
    sec = f"""## Benchmark

`make bench` runs every scenario against Debian's libvirt 9.0 and against ours, alternating, in one
run, on real qemu guests under TCG (64 MiB, no disk) and on the test driver, and prints medians,
spreads and ratios (`benches/README.md`). Speed is claimed only from this table; absolute times
move from run to run, ratios within one run do not.

{block}

"""
    readme = readme.replace('## Layout', sec + '## Layout')
open('README.md', 'w').write(readme)
