#!/usr/bin/env bash
# Fuzzing smoke test: each cargo-fuzz target (fuzz/fuzz_targets) replays its regression inputs
# (fuzz/regressions/<target>: crashes found before) and then fuzzes for FUZZ_SECONDS (10) seconds.
# Longer on demand: FUZZ_SECONDS=600 bash tests/fuzz.sh. cargo-fuzz needs nightly features: the
# stable toolchain here allows them with RUSTC_BOOTSTRAP=1.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top/fuzz"
secs=${FUZZ_SECONDS:-10}
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked >/dev/null 2>&1 || {
        if [ "${CI:-}" = "true" ]; then echo "fuzz: cannot install cargo-fuzz"; exit 1; fi
        echo "######## SKIP: cargo-fuzz is not available: fuzzing skipped ########"; exit 0; }
fi
cargo fuzz build -O >/dev/null 2>&1 || { echo "fuzz: build failed"; cargo fuzz build -O 2>&1 | tail -20; exit 1; }
pass=0 fail=0
for target in $(cargo fuzz list); do
    corpus=$(mktemp -d)
    cp fuzz/regressions/"$target"/* "$corpus"/ 2>/dev/null || cp regressions/"$target"/* "$corpus"/ 2>/dev/null || true
    if cargo fuzz run -O "$target" "$corpus" -- -max_total_time="$secs" -print_final_stats=0 \
        -artifact_prefix="$corpus/crash-" > "$corpus/log" 2>&1; then
        echo "PASS fuzz $target ($secs s, $(grep -c . "$corpus/log" >/dev/null; grep -o 'Done [0-9]* runs' "$corpus/log" | tail -1))"
        pass=$((pass + 1))
    else
        echo "FAIL fuzz $target"; grep -E "panicked|ERROR|SUMMARY" "$corpus/log" | head -5
        ls "$corpus"/crash-* 2>/dev/null | head -3
        fail=$((fail + 1))
    fi
    rm -rf "$corpus"
done
echo "fuzz: $pass passed, $fail failed"
[ $fail = 0 ]
