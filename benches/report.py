#!/usr/bin/env python3
"""Turn the numbers benches/run.sh collected into the markdown report (printed on stdout), and
save the profile's files and summaries under benches/results/."""
import argparse
import collections
import os
import re
import shutil
import statistics


def load_raw(path):
    d = collections.defaultdict(list)  # (scenario, lib, metric) -> [values]
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5:
                continue
            s, lib, _rnd, m, v = parts
            d[(s, lib, m)].append(float(v))
    return d


def load_info(path):
    d = collections.defaultdict(list)  # (scenario, lib, key) -> [(round, text)]
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5:
                continue
            s, lib, rnd, k, t = parts
            d[(s, lib, k)].append((rnd, t))
    return d


def load_meta(path):
    meta = collections.OrderedDict()
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            meta[k] = v
    return meta


def fmt(v, unit):
    if v is None:
        return "n/a"
    if unit == "ms":
        if abs(v) >= 1000:
            return f"{v / 1000:.2f} s"
        if abs(v) >= 100:
            return f"{v:.0f} ms"
        if abs(v) >= 10:
            return f"{v:.1f} ms"
        return f"{v:.2f} ms"
    if unit == "us":
        if abs(v) >= 100:
            return f"{v:.0f} µs"
        if abs(v) >= 10:
            return f"{v:.1f} µs"
        return f"{v:.2f} µs"
    if unit == "MiB":
        return f"{v:.1f} MiB"
    if unit == "/s":
        return f"{v:,.0f}/s"
    return f"{v:g}"


class Stat:
    def __init__(self, vals):
        self.vals = sorted(vals)
        self.n = len(vals)
        self.med = statistics.median(vals) if vals else None
        self.min = self.vals[0] if vals else None
        self.max = self.vals[-1] if vals else None

    def cell(self, unit):
        if not self.n:
            return "no data"
        if self.n == 1:
            return f"{fmt(self.med, unit)} (n=1)"
        return f"{fmt(self.med, unit)} [{fmt(self.min, unit)} – {fmt(self.max, unit)}] (n={self.n})"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fratio(r):
    if r is None:
        return "n/a"
    if r >= 100:
        return f"{r:,.0f}x"
    if r >= 10:
        return f"{r:.1f}x"
    return f"{r:.2f}x"


def yesno(ok):
    return "n/a" if ok is None else ("**yes**" if ok else "**NO**")


def copy_profile(prof, results):
    """Copy the profile's text files to results/ under stable names; return what was copied."""
    copied = []
    if not prof or not os.path.isdir(prof):
        return copied
    for name in sorted(os.listdir(prof)):
        if name.endswith(".txt") and (name.startswith("callgrind-phase") or name.startswith("strace-lifecycle")):
            shutil.copy(os.path.join(prof, name), os.path.join(results, "profile-" + name))
            copied.append("profile-" + name)
    return copied


def callgrind_top(path, n=10):
    """Top self-cost functions of a callgrind_annotate output: [(Ir, pct, function, object)]."""
    out, total = [], None
    if not os.path.exists(path):
        return total, out
    with open(path) as f:
        section = None  # "totals", "functions", then None again (source annotations follow)
        for line in f:
            if "PROGRAM TOTALS" in line:
                section = "totals"
            elif line.rstrip().endswith("file:function"):
                section = "functions"
                continue
            elif line.startswith("---"):
                continue
            elif section == "functions" and not line.strip():
                break
            if section is None:
                continue
            m = re.match(r"\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)$", line)
            if not m:
                continue
            ir = int(m.group(1).replace(",", ""))
            what = m.group(3)
            if what.startswith("PROGRAM TOTALS"):
                total = ir
                continue
            obj = ""
            mo = re.search(r" \[([^\]]+)\]$", what)
            if mo:
                obj = os.path.basename(mo.group(1))
                what = what[: mo.start()]
            fn = what.split(":", 1)[1] if ":" in what else what
            # callgrind_annotate charges the frames still on the stack at a mid-run dump (main and
            # what calls it) with the whole phase as "self" cost: leave those out.
            if fn in ("main", "(below main)") or fn.startswith("__libc_start_main") or fn.startswith("0x"):
                continue
            out.append((ir, float(m.group(2)), fn, obj))
    return total, out[:n]


CATEGORIES = [
    ("XML parsing (roxmltree)", r"roxmltree"),
    ("SipHash (std HashMap's default hasher)", r"sip::|hash_one|BuildHasher|Hasher"),
    ("allocator (malloc/free/realloc)", r"malloc|_int_free|\bfree\b|realloc|rdl_alloc|rdl_dealloc|__rust_alloc|__rust_dealloc|__rdl|cfree|tcache|malloc_consolidate|unlink_chunk"),
    ("libc mem*/str*", r"memcpy|memmove|memcmp|memset|strlen|strcmp|memchr|__mem|__str"),
    ("locks and atomics (pthread, futex, Mutex)", r"pthread|futex|lll_|Mutex|RwLock|mutex|Once"),
    ("formatting (core::fmt, format!)", r"core::fmt|fmt::|Formatter|format"),
    ("UUID generation / getrandom", r"getrandom|uuid|rand"),
]


def callgrind_categories(path):
    """Sum self cost over all functions by category; [(category, Ir, pct)]."""
    total, rows = callgrind_top(path, 100000)
    if total is None:
        return None
    sums = collections.OrderedDict((c, 0) for c, _ in CATEGORIES)
    sums["our own code (virt::)"] = 0
    sums["other"] = 0
    for ir, _pct, fn, obj in rows:
        for c, rx in CATEGORIES:
            if re.search(rx, fn):
                sums[c] += ir
                break
        else:
            sums["our own code (virt::)" if "virt::" in fn else "other"] += ir
    return [(c, v, 100.0 * v / total) for c, v in sums.items() if v]


def callgrind_ours_inclusive(path, n=10):
    """Our functions by inclusive cost. callgrind_annotate splits a function into one row per
    source file its inlined code comes from; the largest of those rows is taken (≈ inclusive)."""
    total, rows = callgrind_top(path, 1000000)
    if total is None:
        return None, []
    best = {}
    for ir, _pct, fn, _obj in rows:
        if "entry::call" in fn or not ("virt::" in fn or re.match(r"vir[A-Z]", fn)):
            continue
        best[fn] = max(best.get(fn, 0), ir)
    top = sorted(best.items(), key=lambda kv: -kv[1])[:n]
    return total, [(ir, 100.0 * ir / total, fn) for fn, ir in top]


def strace_breakdown(path):
    """Per marked window (create / destroy), a wall-clock breakdown of our library's syscalls."""
    if not os.path.exists(path):
        return []
    line_re = re.compile(r"^(\d+)\s+(\d\d):(\d\d):(\d\d\.\d+) (.*)$")
    events = []
    with open(path) as f:
        for line in f:
            m = line_re.match(line.rstrip("\n"))
            if not m:
                continue
            t = int(m.group(2)) * 3600 + int(m.group(3)) * 60 + float(m.group(4))
            rest = m.group(5)
            dur = None
            md = re.search(r"<(\d+\.\d+)>$", rest)
            if md:
                dur = float(md.group(1))
            events.append((t, int(m.group(1)), rest, dur))
    windows, open_w = [], {}
    for i, (t, pid, rest, dur) in enumerate(events):
        mm = re.search(r'write\(-1, "MARK ([a-z-]+)-(begin|end)"', rest)
        if not mm:
            continue
        what, edge = mm.group(1), mm.group(2)
        if edge == "begin":
            open_w[what] = (t, i)
        elif what in open_w:
            t0, i0 = open_w.pop(what)
            windows.append((what, t0, t, events[i0 + 1 : i]))
    out = []
    for what, t0, t1, evs in windows:
        total_ms = (t1 - t0) * 1000
        by_name = collections.Counter()
        time_by_name = collections.defaultdict(float)
        milestones = []
        for t, pid, rest, dur in evs:
            name = re.match(r"(<\.\.\. )?([a-z_0-9]+|---|\+\+\+)", rest)
            nm = name.group(2) if name else "?"
            if rest.startswith("<..."):
                continue  # counted at its start
            by_name[nm] += 1
            if dur is not None:
                time_by_name[nm] += dur * 1000
            off = (t - t0) * 1000
            if re.search(r"SIGTERM|SIGKILL", rest) and ("kill" in nm or "pidfd_send_signal" in nm):
                milestones.append((off, f"{nm} sent ({'SIGKILL' if 'SIGKILL' in rest else 'SIGTERM'})"))
            elif nm == "---" and "SIGCHLD" in rest:
                milestones.append((off, "SIGCHLD delivered"))
            elif nm in ("clone", "clone3", "vfork", "fork"):
                milestones.append((off, f"{nm} ({'thread start' if 'CLONE_THREAD' in rest else 'process spawn'})"))
            elif nm in ("recvfrom", "read") and "QMP" in rest:
                milestones.append((off + (dur or 0) * 1000, "QMP greeting received"))
            elif nm in ("sendto", "write") and '\\"execute\\"' in rest:
                cmd = re.search(r'execute\\":\\"([a-z_-]+)', rest)
                milestones.append((off, f"QMP {cmd.group(1) if cmd else 'command'} sent"))
            elif nm in ("waitid", "wait4") and "<unfinished" not in rest:
                milestones.append((off, f"{nm} (reap)"))
            elif nm == "fsync" or nm == "fdatasync":
                milestones.append((off, f"{nm} ({dur * 1000:.2f} ms)" if dur else nm))
            elif nm in ("rename", "renameat", "renameat2", "unlink", "unlinkat"):
                milestones.append((off, nm))
            elif nm == "execve":
                milestones.append((off, "execve (qemu)"))
            elif nm == "connect":
                milestones.append((off, "connect (monitor)"))
        milestones.sort()
        out.append((what, total_ms, by_name, time_by_name, milestones, len(evs)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw")
    ap.add_argument("--info")
    ap.add_argument("--meta")
    ap.add_argument("--profile")
    ap.add_argument("--results")
    ap.add_argument("--stamp")
    ap.add_argument("--short-grace", type=float, default=100)
    a = ap.parse_args()
    raw, infos, meta = load_raw(a.raw), load_info(a.info), load_meta(a.meta)

    def st(s, lib, m, f=None):
        v = raw.get((s, lib, m), [])
        if f:
            v = [f(x) for x in v]
        return Stat(v)

    P = []  # output lines
    P.append(f"# oxvirt benchmark: reference (Debian libvirt 9.0) vs ours — {meta.get('date', '')}")
    P.append("")
    for k in ("kernel", "cpu", "qemu", "reference", "ours", "mem", "load", "load_during", "rounds", "duration"):
        if k in meta:
            P.append(f"- **{k}**: {meta[k]}")
    P.append("")
    P.append("Each process runs one library; the two alternate round by round (odd rounds the reference first). "
             "Cells: median [min – max] over all samples (n = samples: rounds × iterations per process). "
             "Ratio = reference median / ours median (> 1: ours is faster or smaller). Guests: `<domain type='qemu'>`, "
             "64 MiB, 1 vCPU, no disk, TCG, Debian's qemu; each library on its own fresh root under /tmp with a "
             "warm-up create+destroy excluded from every process. Times are the public API call's wall time.")
    P.append("")

    # qemu itself
    q_exit = st("raw", "qemu", "raw_exit_after_sigterm_ms")
    q_run = st("raw", "qemu", "raw_start_to_running_ms")
    q_greet = st("raw", "qemu", "raw_start_to_qmp_greeting_ms")
    P.append("## qemu itself (no libvirt: spawned by hand with the command line our driver builds)")
    P.append("")
    P.append("| what | median [min – max] |")
    P.append("|---|---|")
    P.append(f"| fork+exec → QMP greeting | {q_greet.cell('ms')} |")
    P.append(f"| fork+exec → QMP handshake → `cont` answered (start-to-running) | {q_run.cell('ms')} |")
    P.append(f"| SIGTERM → exit seen on a pidfd (running guest) | {q_exit.cell('ms')} |")
    q_par10 = st("rawpar10", "qemu", "raw_par_exit_wall_ms")
    q_parN = st("rawparN", "qemu", "raw_par_exit_wall_ms")
    nbig = meta.get("mem", "").split("N = ")[-1].strip() or "N"
    if q_par10.n:
        P.append(f"| 10 running qemus SIGTERMed at once → the last exit seen | {q_par10.cell('ms')} |")
    if q_parN.n:
        P.append(f"| {nbig} running qemus SIGTERMed at once → the last exit seen | {q_parN.cell('ms')} |")
    P.append("")

    rows = []

    def row(num, what, ref, ours, unit, goal="—", met=None, r=None, note=None):
        rr = r if r is not None else ratio(ref.med, ours.med)
        rows.append((num, what, ref.cell(unit), ours.cell(unit), fratio(rr), goal, yesno(met) if goal != "—" else "—"))

    # 1: destroy of a healthy guest
    for m, label in (("destroy_flags0_ms", "destroy, healthy guest, flags 0"),
                     ("destroy_graceful_ms", "destroy, healthy guest, GRACEFUL")):
        ref, ours = st("lifecycle", "ref", m), st("lifecycle", "ours", m)
        rr = ratio(ref.med, ours.med)
        lim = 3 * q_exit.med if q_exit.med else None
        ok = None
        if rr is not None and lim is not None:
            ok = rr >= 100 and ours.med <= lim
        goal = f"≥100x the reference and ≤3x qemu's exit (≤{fmt(lim, 'ms')})"
        if rr is not None and lim is not None:
            goal += f": {fratio(rr)}, {ours.med / q_exit.med:.2f}x qemu"
        row("1", label, ref, ours, "ms", goal, ok)
        base = m[: -len("_ms")]
        row("1", "  call → guest's exit (seen on the bench's own pidfd)", st("lifecycle", "ref", base + "_call_to_exit_ms"),
            st("lifecycle", "ours", base + "_call_to_exit_ms"), "ms")
        row("1", "  guest's exit → return", st("lifecycle", "ref", base + "_exit_to_return_ms"),
            st("lifecycle", "ours", base + "_exit_to_return_ms"), "ms")
    one_destroy = st("lifecycle", "ours", "destroy_flags0_ms").med

    # 2: create
    ref, ours = st("lifecycle", "ref", "create_ms"), st("lifecycle", "ours", "create_ms")
    rr = ratio(ref.med, ours.med)
    lim = 1.5 * q_run.med if q_run.med else None
    ok = None if rr is None or lim is None else (rr >= 3 and ours.med <= lim)
    goal = f"≥3x the reference and ≤1.5x qemu's start-to-running (≤{fmt(lim, 'ms')})"
    if rr is not None and lim is not None:
        goal += f": {fratio(rr)}, {ours.med / q_run.med:.2f}x qemu"
    row("2", "virDomainCreateXML, transient guest to running", ref, ours, "ms", goal, ok)

    # 3: GRACEFUL on a stopped guest
    def outcome(lib):
        rets = raw.get(("gstop", lib, "graceful_stopped_ret"), [])
        alive = raw.get(("gstop", lib, "graceful_stopped_alive_after"), [])
        ms = raw.get(("gstop", lib, "graceful_stopped_ms"), [])
        errs = [t for _, t in infos.get(("gstop", lib, "graceful_stopped_error"), [])]
        states = [t for _, t in infos.get(("gstop", lib, "graceful_stopped_domain_state_after"), [])]
        if not ms:
            return "no data", None
        parts = []
        for i in range(len(ms)):
            parts.append(
                f"returned {int(rets[i]) if i < len(rets) else '?'} after {fmt(ms[i], 'ms')}, guest "
                f"{'alive' if i < len(alive) and alive[i] else 'dead'}"
                + (f", state after: {states[i]}" if i < len(states) else "")
                + (f", last error: {errs[i]}" if i < len(errs) else ""))
        ok = all(r == -1 for r in rets) and all(x == 1 for x in alive) and all(m <= 15500 for m in ms) and all(m >= 14900 for m in ms)
        return "; ".join(parts), ok

    r3, _ = outcome("ref")
    o3, ok3 = outcome("ours")
    rr3 = ratio(st("gstop", "ref", "graceful_stopped_ms").med, st("gstop", "ours", "graceful_stopped_ms").med)
    rows.append(("3", "GRACEFUL on a SIGSTOPped guest (default timeouts: 15 s graceful)", r3, o3, fratio(rr3),
                 "contract: −1 after the graceful timeout (15 s), guest left alive and untouched", yesno(ok3)))

    # 4: forced destroy of a stopped guest
    ref, ours = st("fstop", "ref", "forced_stopped_call_ms"), st("fstop", "ours", "forced_stopped_call_ms")
    row("4a", "forced destroy of a SIGSTOPped guest, whole call (both with a 10 s grace period)", ref, ours, "ms")
    ref = st("fstop", "ref", "forced_stopped_call_ms", lambda x: x - 10000)
    ours = st("fstop", "ours", "forced_stopped_call_ms", lambda x: x - 10000)
    row("4b", "  the same, call − 10 s grace period (≈ SIGKILL → return)", ref, ours, "ms")
    ref, ours = st("fstop", "ref", "forced_stopped_exit_to_return_ms"), st("fstop", "ours", "forced_stopped_exit_to_return_ms")
    row("4c", "  the same, guest's exit (seen on the bench's own pidfd) → return", ref, ours, "ms")
    g = a.short_grace
    short = st("fstop-short", "ours", "forced_stopped_call_ms", lambda x: x - g)
    short_exit = st("fstop-short", "ours", "forced_stopped_exit_to_return_ms")
    ref4 = st("fstop", "ref", "forced_stopped_call_ms", lambda x: x - 10000)
    row("4d", f"  ours with oxvirt_grace_before_sigkill_ms = {g:g}: call − {g:g} ms (reference: its fixed 10 s, as 4b)",
        ref4, short, "ms")
    row("4e", f"  ours with {g:g} ms grace: guest's exit → return (reference: as 4c)",
        st("fstop", "ref", "forced_stopped_exit_to_return_ms"), short_exit, "ms")

    # 5: parallel destroy
    for scen, n in (("par10", 10), ("parN", None)):
        ref, ours = st(scen, "ref", "parallel_wall_ms"), st(scen, "ours", "parallel_wall_ms")
        if not ref.n and not ours.n:
            continue
        if n is None:
            n = meta.get("mem", "").split("N = ")[-1].strip() or "?"
        if scen == "par10":
            lim = 3 * one_destroy if one_destroy else None
            ok = None if lim is None or ours.med is None else ours.med <= lim
            goal = f"≤3x one destroy of ours (≤{fmt(lim, 'ms')})"
            if lim and ours.med:
                goal += f": {ours.med / one_destroy:.2f}x"
            if q_par10.med and ours.med:
                goal += f" (qemu's own 10 parallel exits: {fmt(q_par10.med, 'ms')}; ours is {ours.med / q_par10.med:.2f}x that)"
            row("5", f"{n} guests destroyed from {n} threads at once: barrier → last return", ref, ours, "ms", goal, ok)
        else:
            note = f"(no goal set; {ours.med / one_destroy:.2f}x one destroy)" if one_destroy and ours.med else "(no goal set)"
            if q_parN.med and ours.med:
                note += f"; qemu's own {n} parallel exits: {fmt(q_parN.med, 'ms')}, ours is {ours.med / q_parN.med:.2f}x that"
            rows.append(("5", f"{n} guests destroyed from {n} threads at once: barrier → last return",
                         ref.cell("ms"), ours.cell("ms"), fratio(ratio(ref.med, ours.med)), note, "—"))

    # 6: test driver
    ref, ours = st("testdrv", "ref", "test_cycle_us"), st("testdrv", "ours", "test_cycle_us")
    rr = ratio(ref.med, ours.med)
    rate_r, rate_o = st("testdrv", "ref", "test_cycles_per_s"), st("testdrv", "ours", "test_cycles_per_s")
    rows.append(("6", "test driver: CreateXML + DestroyFlags + Free, time per cycle (rate)",
                 f"{ref.cell('us')} ({fmt(rate_r.med, '/s')})", f"{ours.cell('us')} ({fmt(rate_o.med, '/s')})",
                 fratio(rr), "≥10x the reference's rate", yesno(None if rr is None else rr >= 10)))
    for n in ("1000", "10000"):
        ref, ours = st("testdrv", "ref", f"test_lookup_{n}_us"), st("testdrv", "ours", f"test_lookup_{n}_us")
        rr = ratio(ref.med, ours.med)
        row("6", f"test driver: LookupByName + Free among {int(n):,} live domains, per lookup", ref, ours, "us",
            "≥7x faster", None if rr is None else rr >= 7)
    row("6", "test driver: ListAllDomains with 10,001 domains (the call)", st("testdrv", "ref", "test_listall_10000_ms"),
        st("testdrv", "ours", "test_listall_10000_ms"), "ms")
    row("6", "  the same, plus virDomainFree of every handle and free() of the array",
        st("testdrv", "ref", "test_listall_10000_with_free_ms"), st("testdrv", "ours", "test_listall_10000_with_free_ms"), "ms")
    row("6", "test driver (extra): CreateXML per domain while filling up to 10,000",
        st("testdrv", "ref", "test_populate_to_10000_create_us"), st("testdrv", "ours", "test_populate_to_10000_create_us"), "us")
    row("6", "test driver (extra): LookupByName + Destroy + Free, 10,000 → 0 live",
        st("testdrv", "ref", "test_lookup_destroy_free_us"), st("testdrv", "ours", "test_lookup_destroy_free_us"), "us")

    # 7: memory
    kib = lambda x: x / 1024
    row("7", "peak RSS (VmHWM) of a process holding 10,000 test-driver domains",
        st("mem", "ref", "mem_peak_hwm_kib", kib), st("mem", "ours", "mem_peak_hwm_kib", kib), "MiB")
    row("7", "  of which after virConnectOpen (baseline VmHWM)",
        st("mem", "ref", "mem_baseline_hwm_kib", kib), st("mem", "ours", "mem_baseline_hwm_kib", kib), "MiB")
    ref_b, ours_b = st("mem", "ref", "mem_per_domain_bytes"), st("mem", "ours", "mem_per_domain_bytes")
    rows.append(("7", "  (peak − baseline) per domain", f"{ref_b.med:.0f} B" if ref_b.n else "n/a",
                 f"{ours_b.med:.0f} B" if ours_b.n else "n/a", fratio(ratio(ref_b.med, ours_b.med)), "—", "—"))

    # 8: watching and controlling running guests (issue 17)
    ref, ours = st("watch", "ref", "watch_allstats_ms"), st("watch", "ours", "watch_allstats_ms")
    rr = ratio(ref.med, ours.med)
    row("8", "virConnectGetAllDomainStats, all groups, over 20 running guests", ref, ours, "ms",
        "≥5x faster", None if rr is None else rr >= 5)
    ref, ours = st("watch", "ref", "watch_getinfo_us"), st("watch", "ours", "watch_getinfo_us")
    rr = ratio(ref.med, ours.med)
    row("8", "virDomainGetInfo on a running guest", ref, ours, "us", "≥10x faster", None if rr is None else rr >= 10)
    for what, metric in (("virDomainSave of a running 64 MiB guest", "watch_save_ms"),
                         ("virDomainRestore of that image to running", "watch_restore_ms")):
        ref, ours = st("watch", "ref", metric), st("watch", "ours", metric)
        rr = ratio(ref.med, ours.med)
        row("8", what, ref, ours, "ms", "no slower than the reference", None if rr is None else rr >= 1)

    # 9: the remote driver against a private libvirtd serving the test driver (issue 18). Rates are
    # compared as ours/reference, so that the column reads "how many times better" throughout.
    ref, ours = st("remote", "ref", "remote_call_us"), st("remote", "ours", "remote_call_us")
    rr = ratio(ref.med, ours.med)
    row("9", "remote (unix socket to libvirtd, test driver): LookupByName + GetInfo + Free, one thread",
        ref, ours, "us", "≤0.8x the reference's time (≥1.25x)", None if rr is None else rr >= 1.25)
    ref, ours = st("remote", "ref", "remote_8threads_calls_per_s"), st("remote", "ours", "remote_8threads_calls_per_s")
    rr = ratio(ours.med, ref.med)
    row("9", "remote: the same from 8 threads sharing one connection, calls per second",
        ref, ours, "/s", "≥1.5x the reference's rate", None if rr is None else rr >= 1.5, r=rr)
    ref, ours = st("remote", "ref", "remote_event_latency_us"), st("remote", "ours", "remote_event_latency_us")
    rr = ratio(ref.med, ours.med)
    row("9", "remote: lifecycle event, another connection's Suspend/Resume call → our callback (median)",
        ref, ours, "us", "no slower than the reference", None if rr is None else rr >= 1)
    ref, ours = st("remote", "ref", "remote_events_per_s"), st("remote", "ours", "remote_events_per_s")
    rr = ratio(ours.med, ref.med)
    row("9", "remote: lifecycle events delivered to the callback per second (a burst)",
        ref, ours, "/s", "no slower than the reference", None if rr is None else rr >= 1, r=rr)

    P.append("## Results")
    P.append("")
    P.append("| # | scenario | reference | ours | ref/ours | goal | met? |")
    P.append("|---|---|---|---|---|---|---|")
    for r in rows:
        P.append("| " + " | ".join(str(x).replace("|", "\\|") for x in r) + " |")
    P.append("")

    # notes
    P.append("### How to read it")
    P.append("")
    P.append("- Scenario 1 waits 100 ms after the create returned before destroying, as the qemu-only "
             "measurement waits 100 ms after `cont` before SIGTERM.")
    P.append("- The \"call → guest's exit\" and \"guest's exit → return\" rows split each destroy with a thread of the bench "
             "blocked in poll() on its own pidfd for the qemu process; the exit time is when that thread woke, so under load it "
             "can be late (a negative \"exit → return\" means the call returned before the watcher thread ran; at every return "
             "the pidfd already said the process had exited, unless the anomalies below say otherwise).")
    P.append("- Scenario 3 ran with the defaults of both libraries (15 s graceful timeout). The reference's "
             "outcome is printed as it is (it returns 0 and kills the guest; the contract says −1 and the guest untouched).")
    P.append(f"- Scenario 4: the reference's grace period before SIGKILL is fixed at 10 s. 4a–4c run both libraries on "
             f"roots with default timeouts (10 s grace) and report the whole call, the call minus 10 s, and the time "
             f"from the guest's death (seen on a pidfd the bench opened itself on the qemu pid, so it is independent "
             f"of either library) to the call's return. 4d–4e run ours on a third root whose qemu.conf sets "
             f"`oxvirt_grace_before_sigkill_ms = {g:g}` and subtract {g:g} ms.")
    P.append("- Scenario 5 creates the N guests first (not timed), then N threads wait on a barrier and each "
             "destroys one guest; the time runs from the barrier's release to the last return. qemu's own figure for "
             "the same thing (N qemus SIGTERMed at once, until the last exit) is in the first table: on a machine with "
             "few CPUs the N exits themselves queue for the CPUs.")
    P.append("- Scenario 6 counts `virDomainFree` of each looked-up handle in the lookup time; the lookups go over a "
             "fixed pseudo-random sequence of live names. ListAllDomains is measured 9 times per process (median per process).")
    P.append("- Our library was copied once at the start and loaded through `LD_LIBRARY_PATH` pointing at that copy, so a "
             "concurrent rebuild of build/lib could not change it mid-run.")
    # anomalies
    notes = []
    for (s, lib, k), v in sorted(infos.items()):
        if k in ("FAIL", "leftover_qemu", "parallel_destroy_failed", "graceful_stopped_cleanup"):
            for rnd, t in v:
                notes.append(f"- {s} / {lib} / round {rnd}: {k}: {t}")
        if k == "event_loop":
            texts = sorted(set(t for _, t in v))
            for t in texts:
                if t != "running":
                    notes.append(f"- {lib}: event loop: {t} (the benchmark does not need events)")
                    break
    nd = [x for x in raw.get(("lifecycle", "ours", "destroy_returned_before_guest_exit_count"), []) if x]
    nd_ref = [x for x in raw.get(("lifecycle", "ref", "destroy_returned_before_guest_exit_count"), []) if x]
    if nd or nd_ref:
        notes.append(f"- destroy returned before the guest's process had exited: ours {int(sum(nd))} times, reference {int(sum(nd_ref))} times")
    if notes:
        P.append("")
        P.append("### Anomalies seen during the run")
        P.append("")
        P.extend(sorted(set(notes)))
    P.append("")

    # profile
    copied = copy_profile(a.profile, a.results)
    P.append("## Where our time goes (profile)")
    P.append("")
    perf_hw = meta.get("perf_hw")
    P.append(f"`perf stat -e instructions true` {'works' if perf_hw == '1' else 'does not work here (hardware counters not supported)'}; "
             "so: valgrind's callgrind (instructions, Ir) on a short test-driver run of ours (2,000 cycles, 20,000 lookups), "
             "one dump per phase, and `strace -f -b execve -T -tt` of two create+destroy pairs of ours for a wall-clock breakdown "
             "(strace slows every syscall: read the shape, not the absolute times).")
    P.append("")
    per_op = {"phase-cycles": 2000, "phase-lookup-1000": 20000, "phase-lookup-10000": 20000, "phase-listall-10000": 9}
    op_name = {"phase-cycles": "cycle", "phase-lookup-1000": "lookup", "phase-lookup-10000": "lookup", "phase-listall-10000": "call"}
    for phase in ("phase-cycles", "phase-lookup-10000", "phase-listall-10000"):
        total, top = callgrind_top(os.path.join(a.profile or "", f"callgrind-{phase}-self.txt"), 10)
        if total is None:
            continue
        P.append(f"### callgrind, {phase}: {total:,} Ir = {total / per_op[phase]:,.0f} Ir per {op_name[phase]} (self cost, top 10)")
        P.append("")
        cats = callgrind_categories(os.path.join(a.profile or "", f"callgrind-{phase}-self.txt"))
        if cats:
            P.append("By kind (self cost summed over every function, by name): "
                     + "; ".join(f"{c} {pct:.0f}% ({v / per_op[phase]:,.0f} Ir/{op_name[phase]})"
                                 for c, v, pct in sorted(cats, key=lambda x: -x[1])))
            P.append("")
        _t, incl = callgrind_ours_inclusive(os.path.join(a.profile or "", f"callgrind-{phase}-inclusive.txt"))
        if incl:
            P.append("Our functions, ≈ inclusive cost per " + op_name[phase] + ": "
                     + "; ".join(f"`{fn}` {ir / per_op[phase]:,.0f} Ir ({pct:.0f}%)" for ir, pct, fn in incl))
            P.append("")
        P.append("| Ir (self) | % | function | object |")
        P.append("|---|---|---|---|")
        for ir, pct, fn, obj in top:
            fn = fn if len(fn) < 110 else fn[:107] + "..."
            P.append(f"| {ir:,} | {pct:.1f} | `{fn.replace('|', '/')}` | {obj} |")
        P.append("")
    windows = strace_breakdown(os.path.join(a.profile or "", "strace-lifecycle-ours.txt"))
    if windows:
        P.append("### strace wall-clock breakdown of ours (under strace)")
        P.append("")
        for what, total_ms, by_name, time_by_name, milestones, nev in windows:
            top = sorted(time_by_name.items(), key=lambda kv: -kv[1])[:6]
            P.append(f"- **{what}**: {total_ms:.2f} ms, {nev} trace lines; syscalls by count: "
                     + ", ".join(f"{k} {v}" for k, v in by_name.most_common(8))
                     + "; longest in total: " + ", ".join(f"{k} {v:.2f} ms" for k, v in top))
            if milestones:
                P.append("  - timeline (ms from the call): " + "; ".join(f"{o:.2f} {m}" for o, m in milestones[:16]))
        P.append("")
    if copied:
        P.append("Files: " + ", ".join(f"`benches/results/{c}`" for c in copied))
        P.append("")
    print("\n".join(P))


if __name__ == "__main__":
    main()
