#!/usr/bin/env bash
# Compile-time benchmark of warden's attributes (issue 6).
#
# For each variant (plain, #[warden::no_blocking], #[warden::supervised], #[warden::bounded(8)],
# #[tracing::instrument]) generates a crate of N async fns with gen.py under target/compile-bench/
# (never committed) and builds its dependencies once. Then, REPEAT rounds, each timing
# `cargo check` and `cargo build` (debug, with codegen) of every variant's crate alone (src/lib.rs
# touched first); the medians of the wall and CPU times are reported. Rounds go over the variants
# in turn, so a change of machine load during the run weighs on every variant alike.
#
# Incremental compilation is off: re-checking an unchanged file would reuse the previous results
# and measure almost nothing but the macros' own run.
#
# The expansion size is the line count of `cargo rustc -- -Zunpretty=expanded` (a nightly-only
# flag, allowed on stable by RUSTC_BOOTSTRAP=1), over N.
#
# LAYOUT=files (issue 10) spreads the fns over 20 files of a module tree whose handlers call the
# crate's sync helpers in other files (`use` items, `super::` paths, a re-export), so
# `#[no_blocking]` reads, parses and follows the crate; only plain, no_blocking and instrument
# are measured there (VARIANTS overrides the list in either layout).
#
# usage: benches/compile/run.sh            (N=1000 REPEAT=3 LAYOUT=single by default)
#        N=200 REPEAT=1 benches/compile/run.sh
#        LAYOUT=files benches/compile/run.sh
#        VARIANTS="plain supervised instrument" N=300 REPEAT=1 benches/compile/run.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
n="${N:-1000}"
repeat="${REPEAT:-3}"
layout="${LAYOUT:-single}"
case "$layout" in
    single) default_variants="plain no_blocking supervised bounded instrument" ;;
    files) default_variants="plain no_blocking instrument" ;;
    *) echo "LAYOUT must be single or files" >&2; exit 2 ;;
esac
read -r -a variants <<< "${VARIANTS:-$default_variants}"
work="$repo/target/compile-bench"
# One target dir for every variant and layout: the dependencies are built once and shared.
export CARGO_TARGET_DIR="$work/target"
export CARGO_INCREMENTAL=0

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# "wall cpu": seconds taken by `cargo $1` of the crate in $2 after touching its source, and the
# CPU seconds (user + system) of cargo and the compiler under it. The CPU time moves less with
# the machine's load than the wall time, which includes waiting for a core.
timed() {
    touch "$2/src/lib.rs"
    local times
    times=$(mktemp)
    (cd "$2" && /usr/bin/time -f '%e %U %S' -o "$times" cargo "$1" -q)
    awk '{ print $1, $2 + $3 }' "$times"
    rm -f "$times"
}

declare -A checks builds check_cpus build_cpus lines
for variant in "${variants[@]}"; do
    dir="$work/$layout-$variant"
    rm -rf "$dir"
    python3 "$here/gen.py" "$variant" "$dir" "$repo" "$n" "$layout"
    # Same dependency versions as the workspace.
    cp "$repo/Cargo.lock" "$dir/Cargo.lock"
    lines[$variant]=$(cd "$dir" && RUSTC_BOOTSTRAP=1 cargo rustc -q --lib -- -Zunpretty=expanded 2>/dev/null | wc -l)
done
# Warm: the dependencies (checked and built), and each crate once. After the expansions above:
# Cargo fingerprints RUSTC_BOOTSTRAP, so the dependencies are rebuilt here once, not in round 1.
# A variant that does not compile (a finding of `#[no_blocking]`) stops the run, with its errors.
for variant in "${variants[@]}"; do
    dir="$work/$layout-$variant"
    if ! (cd "$dir" && cargo check -q && cargo build -q) 2>"$dir.log"; then
        cat "$dir.log" >&2
        exit 1
    fi
done

for round in $(seq "$repeat"); do
    for variant in "${variants[@]}"; do
        read -r c cc < <(timed check "$work/$layout-$variant")
        read -r b bc < <(timed build "$work/$layout-$variant")
        checks[$variant]+="$c "
        builds[$variant]+="$b "
        check_cpus[$variant]+="$cc "
        build_cpus[$variant]+="$bc "
        echo "round $round $variant: check $c s (CPU $cc s), build $b s (CPU $bc s)" >&2
    done
done

declare -A check build check_cpu build_cpu
for variant in "${variants[@]}"; do
    check[$variant]=$(printf '%s\n' ${checks[$variant]} | median)
    build[$variant]=$(printf '%s\n' ${builds[$variant]} | median)
    check_cpu[$variant]=$(printf '%s\n' ${check_cpus[$variant]} | median)
    build_cpu[$variant]=$(printf '%s\n' ${build_cpus[$variant]} | median)
done

printf '\n%s async fns (layout %s), medians of %s rounds, %s, %s cores\n\n' "$n" "$layout" "$repeat" "$(rustc --version)" "$(nproc)"
printf '| variant | cargo check (s) | added (s) | added per fn (ms) | check CPU (s) | added CPU (s) | cargo build (s) | added (s) | build CPU (s) | added CPU (s) | expanded lines | lines per fn | added lines per fn |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for variant in "${variants[@]}"; do
    awk -v v="$variant" -v n="$n" \
        -v c="${check[$variant]}" -v cp="${check[plain]}" \
        -v cc="${check_cpu[$variant]}" -v ccp="${check_cpu[plain]}" \
        -v b="${build[$variant]}" -v bp="${build[plain]}" \
        -v bc="${build_cpu[$variant]}" -v bcp="${build_cpu[plain]}" \
        -v l="${lines[$variant]}" -v lp="${lines[plain]}" \
        'BEGIN { printf "| %s | %.2f | %+.2f | %+.2f | %.2f | %+.2f | %.2f | %+.2f | %.2f | %+.2f | %d | %.1f | %+.1f |\n",
                 v, c, c - cp, (c - cp) * 1000 / n, cc, cc - ccp, b, b - bp, bc, bc - bcp, l, l / n, (l - lp) / n }'
done
