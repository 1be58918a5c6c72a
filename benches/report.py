#!/usr/bin/env python3
"""Prints the Markdown tables of BENCHMARKS.md from the last `cargo bench` run: the median of
each benchmark (criterion's `target/criterion/**/new/estimates.json`), its ratio to the
hand-written equivalent(s) and to the plain call, the same under a tracing subscriber (the
`*_traced` groups) beside it, and the children's cost per child at each width.

usage: python3 benches/report.py [target/criterion]
"""

import json
import math
import pathlib
import sys

# Per group: the hand-written side(s) each warden number is divided by.
REFERENCES = {
    "no_blocking_static": ["plain"],
    "no_blocking_max_poll": ["task_monitor"],
    "supervised_inline": ["by_hand"],
    "supervised_children": ["joinset", "tracker"],
    "bounded_uncontended": ["semaphore"],
    "bounded_contended": ["semaphore", "tower"],
    "bounded_per_key": ["map"],
    "offload": ["spawn_blocking"],
}


def fmt_time(ns: float) -> str:
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main() -> None:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
    # group -> (workload, param) -> side -> median ns
    medians: dict = {}
    for bench in root.glob("**/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        estimates = json.loads((bench.parent / "estimates.json").read_text())
        workload, side = meta["function_id"].split("/")
        key = (workload, meta.get("value_str") or "")
        group = medians.setdefault(meta["group_id"], {})
        group.setdefault(key, {})[side] = estimates["median"]["point_estimate"]
    for name, refs in REFERENCES.items():
        if name not in medians:
            continue
        quiet = medians[name]
        traced = medians.get(f"{name}_traced", {})
        print(f"\n#### `{name}`\n")
        cols = refs + ([] if "plain" in refs else ["plain"])
        ratio_heads = " | ".join(f"÷ {r}" for r in cols)
        head = f"| workload | side | median | {ratio_heads} |"
        rule = "| --- | --- | ---: | " + " | ".join("---:" for _ in cols) + " |"
        if traced:
            head += f" traced | {' | '.join(f'÷ {r} traced' for r in refs)} |"
            rule += " ---: | " + " | ".join("---:" for _ in refs) + " |"
        print(head)
        print(rule)
        for (workload, param), sides in sorted(quiet.items(), key=lambda kv: (kv[0][0], int(kv[0][1] or 0))):
            label = f"{workload} ×{param}" if param else workload
            order = ["plain"] + [r for r in refs if r != "plain"] + ["warden"]
            order += sorted(s for s in sides if s not in order)
            other = traced.get((workload, param), {})
            for side in order:
                if side not in sides:
                    continue
                ns = sides[side]
                ratios = [f"{ns / sides[r]:.2f}" if r in sides else "—" for r in cols]
                row = f"| {label} | {side} | {fmt_time(ns)} | " + " | ".join(ratios) + " |"
                if traced:
                    t = other.get(side)
                    t_ratios = [f"{t / other[r]:.2f}" if t and r in other else "—" for r in refs]
                    row += f" {fmt_time(t) if t else '—'} | " + " | ".join(t_ratios) + " |"
                print(row)
        if name == "supervised_children":
            per_child(quiet, traced)
            geometric_means(quiet, traced)


def per_child(quiet: dict, traced: dict) -> None:
    """The cost per child at each width: the curve that should stay flat."""
    print("\n#### `supervised_children`, per child\n")
    widths = sorted({int(p) for (_, p) in quiet})
    print("| workload | side | " + " | ".join(f"×{w:,}" for w in widths) + " |")
    print("| --- | --- | " + " | ".join("---:" for _ in widths) + " |")
    for runs, suffix in ((quiet, ""), (traced, " traced")) if traced else ((quiet, ""),):
        for workload in ("ready", "yield"):
            for side in ("joinset", "tracker", "warden", "warden_wide"):
                cells = []
                for w in widths:
                    ns = runs.get((workload, str(w)), {}).get(side)
                    cells.append(f"{ns / w:.0f} ns" if ns else "—")
                print(f"| {workload}{suffix} | {side} | " + " | ".join(cells) + " |")

def geometric_means(quiet: dict, traced: dict) -> None:
    """Over every width and workload, the geometric mean (and range) of warden's ratio to each
    hand-written side: `warden` as configured by default, and the like-for-like `warden_wide`
    where the width is above the default limit (`warden` elsewhere)."""
    print("\n#### `supervised_children`, geometric means over the widths\n")
    print("| run | warden side | ÷ joinset | ÷ tracker |")
    print("| --- | --- | ---: | ---: |")
    for runs, label in ((quiet, "quiet"), (traced, "traced")):
        if not runs:
            continue
        for mine in ("warden", "warden_wide"):
            cells = []
            for ref in ("joinset", "tracker"):
                ratios = []
                for sides in runs.values():
                    ns = sides.get(mine) or sides.get("warden")
                    if ns and ref in sides:
                        ratios.append(ns / sides[ref])
                if not ratios:
                    cells.append("—")
                    continue
                mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
                cells.append(f"{mean:.2f} ({min(ratios):.2f}–{max(ratios):.2f})")
            print(f"| {label} | {mine} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
