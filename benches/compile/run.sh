#!/usr/bin/env bash
# Compile-time benchmark of warden's attributes (issue 6).
#
# For each variant (plain, #[warden::no_blocking], #[warden::supervised], #[warden::bounded(8)],
# #[tracing::instrument]) generates a crate of N async fns with gen.py under target/compile-bench/
# (never committed) and builds its dependencies once. Then, REPEAT rounds, each timing
# `cargo check` and `cargo build` (debug, with codegen) of every variant's crate alone (src/lib.rs
# touched first); the medians are reported. Rounds go over the variants in turn, so a change of
# machine load during the run weighs on every variant alike.
#
# Incremental compilation is off: re-checking an unchanged file would reuse the previous results
# and measure almost nothing but the macros' own run.
#
# The expansion size is the line count of `cargo rustc -- -Zunpretty=expanded` (a nightly-only
# flag, allowed on stable by RUSTC_BOOTSTRAP=1), over N.
#
# usage: benches/compile/run.sh            (N=1000 REPEAT=3 by default)
#        N=200 REPEAT=1 benches/compile/run.sh
#        VARIANTS="plain supervised instrument" N=300 REPEAT=1 benches/compile/run.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
n="${N:-1000}"
repeat="${REPEAT:-3}"
work="$repo/target/compile-bench"
# One target dir for every variant: the dependencies are built once and shared.
export CARGO_TARGET_DIR="$work/target"
export CARGO_INCREMENTAL=0
# VARIANTS="plain supervised instrument" times a subset (keep `plain`: the others are relative to it).
read -r -a variants <<< "${VARIANTS:-plain no_blocking supervised bounded instrument}"

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Seconds taken by `cargo $1` of the crate in $2, after touching its source.
timed() {
    touch "$2/src/lib.rs"
    local start end
    start=$(date +%s.%N)
    (cd "$2" && cargo "$1" -q)
    end=$(date +%s.%N)
    awk -v a="$end" -v b="$start" 'BEGIN { print a - b }'
}

declare -A checks builds lines
for variant in "${variants[@]}"; do
    dir="$work/$variant"
    rm -rf "$dir"
    python3 "$here/gen.py" "$variant" "$dir" "$repo" "$n"
    # Same dependency versions as the workspace.
    cp "$repo/Cargo.lock" "$dir/Cargo.lock"
    # Warm: the dependencies (checked and built), and the crate once.
    (cd "$dir" && cargo check -q && cargo build -q) 2>/dev/null
    lines[$variant]=$(cd "$dir" && RUSTC_BOOTSTRAP=1 cargo rustc -q --lib -- -Zunpretty=expanded 2>/dev/null | wc -l)
done

for round in $(seq "$repeat"); do
    for variant in "${variants[@]}"; do
        c=$(timed check "$work/$variant")
        b=$(timed build "$work/$variant")
        checks[$variant]+="$c "
        builds[$variant]+="$b "
        echo "round $round $variant: check $c s, build $b s" >&2
    done
done

declare -A check build
for variant in "${variants[@]}"; do
    check[$variant]=$(printf '%s\n' ${checks[$variant]} | median)
    build[$variant]=$(printf '%s\n' ${builds[$variant]} | median)
done

printf '\n%s async fns, medians of %s rounds, %s, %s cores\n\n' "$n" "$repeat" "$(rustc --version)" "$(nproc)"
printf '| variant | cargo check (s) | added (s) | added per fn (ms) | cargo build (s) | added (s) | expanded lines | lines per fn | added lines per fn |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for variant in "${variants[@]}"; do
    awk -v v="$variant" -v n="$n" \
        -v c="${check[$variant]}" -v cp="${check[plain]}" \
        -v b="${build[$variant]}" -v bp="${build[plain]}" \
        -v l="${lines[$variant]}" -v lp="${lines[plain]}" \
        'BEGIN { printf "| %s | %.2f | %+.2f | %+.2f | %.2f | %+.2f | %d | %.1f | %+.1f |\n",
                 v, c, c - cp, (c - cp) * 1000 / n, b, b - bp, l, l / n, (l - lp) / n }'
done
