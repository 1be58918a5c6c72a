#!/usr/bin/env bash
# Compile-time benchmark of warden's attributes (issue 6).
#
# For each variant (plain, #[warden::no_blocking], #[warden::supervised], #[warden::bounded(8)],
# #[tracing::instrument]) generates a crate of N async fns with gen.py under target/compile-bench/
# (never committed), builds its dependencies once, then times `cargo check` of the crate alone
# REPEAT times (touching src/lib.rs each time) and keeps the median. The expansion size is the
# line count of `cargo rustc -- -Zunpretty=expanded` (nightly-only flag, allowed on stable by
# RUSTC_BOOTSTRAP=1), over N.
#
# usage: benches/compile/run.sh            (N=1000 REPEAT=3 by default)
#        N=200 REPEAT=1 benches/compile/run.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
n="${N:-1000}"
repeat="${REPEAT:-3}"
work="$repo/target/compile-bench"
# One target dir for every variant: the dependencies are built once and shared.
export CARGO_TARGET_DIR="$work/target"
variants=(plain no_blocking supervised bounded instrument)

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A secs lines
for variant in "${variants[@]}"; do
    dir="$work/$variant"
    rm -rf "$dir"
    python3 "$here/gen.py" "$variant" "$dir" "$repo" "$n"
    # Same dependency versions as the workspace.
    cp "$repo/Cargo.lock" "$dir/Cargo.lock"
    (cd "$dir" && cargo check -q 2>/dev/null) # warm: dependencies, and the crate once
    times=()
    for _ in $(seq "$repeat"); do
        touch "$dir/src/lib.rs"
        start=$(date +%s.%N)
        (cd "$dir" && cargo check -q)
        end=$(date +%s.%N)
        times+=("$(awk -v a="$end" -v b="$start" 'BEGIN { print a - b }')")
    done
    secs[$variant]=$(printf '%s\n' "${times[@]}" | median)
    lines[$variant]=$(cd "$dir" && RUSTC_BOOTSTRAP=1 cargo rustc -q --lib -- -Zunpretty=expanded 2>/dev/null | wc -l)
    echo "$variant: check ${times[*]} s -> median ${secs[$variant]} s; expanded ${lines[$variant]} lines" >&2
done

printf '\n%s async fns, cargo check median of %s, %s\n\n' "$n" "$repeat" "$(rustc --version)"
printf '| variant | cargo check (s) | added over plain (s) | added per fn (ms) | expanded lines | lines per fn | added lines per fn |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for variant in "${variants[@]}"; do
    s=${secs[$variant]} l=${lines[$variant]}
    awk -v v="$variant" -v s="$s" -v p="${secs[plain]}" -v l="$l" -v lp="${lines[plain]}" -v n="$n" \
        'BEGIN { printf "| %s | %.2f | %+.2f | %+.2f | %d | %.1f | %+.1f |\n", v, s, s - p, (s - p) * 1000 / n, l, l / n, (l - lp) / n }'
done
