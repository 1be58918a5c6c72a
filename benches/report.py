#!/usr/bin/env python3
"""Prints the Markdown tables of BENCHMARKS.md from the last `cargo bench` run: the median of
each benchmark (criterion's `target/criterion/**/new/estimates.json`), its ratio to the
hand-written equivalent(s) and to the plain call.

usage: python3 benches/report.py [target/criterion]
"""

import json
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
        print(f"\n#### `{name}`\n")
        cols = refs + ([] if "plain" in refs else ["plain"])
        print("| workload | side | median | " + " | ".join(f"÷ {r}" for r in cols) + " |")
        print("| --- | --- | ---: | " + " | ".join("---:" for _ in cols) + " |")
        for (workload, param), sides in sorted(medians[name].items(), key=lambda kv: (kv[0][0], int(kv[0][1] or 0))):
            label = f"{workload} ×{param}" if param else workload
            order = ["plain"] + [r for r in refs if r != "plain"] + ["warden"]
            order += sorted(s for s in sides if s not in order)
            for side in order:
                if side not in sides:
                    continue
                ns = sides[side]
                ratios = [f"{ns / sides[r]:.2f}" if r in sides else "—" for r in cols]
                print(f"| {label} | {side} | {fmt_time(ns)} | " + " | ".join(ratios) + " |")


if __name__ == "__main__":
    main()
