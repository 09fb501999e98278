"""Run a chapter with other seeds, to calibrate and check the bounds its asserts use.

    python scripts/seed_sweep.py chapters/rotation_curves.ipynb --seeds 1 2 3 4 5 --quick
    python scripts/seed_sweep.py chapters/nonlinear_ppca.ipynb --seeds 7 8 --out sweep.json

Every chapter seeds everything from one line, ``SEED = vaebook.DEFAULT_SEED``.
This script executes an in-memory copy of the notebook with that line replaced
by ``SEED = <seed>`` (the file on disk is never changed), once per seed, and
prints for each seed whether every cell ran (so every assert held) or which
cell failed and why. With ``--out`` it writes, per seed, the printed text of
every code cell, so the quantities an assert checks can be read off across
seeds. A quick-mode bound in a chapter is chosen from such a sweep; the
results are recorded in benchmarks/quick_mode_calibration.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from execute_notebooks import ROOT, run_notebook  # noqa: E402

SEED_LINE = "SEED = vaebook.DEFAULT_SEED"


def with_seed(nb, seed: int):
    """A copy of ``nb`` whose seed line reads ``SEED = seed``; the line must occur exactly once."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    hits = [c for c in nb.cells if c.cell_type == "code" and SEED_LINE in c.source]
    if len(hits) != 1 or hits[0].source.count(SEED_LINE) != 1:
        raise SystemExit(f"expected the line {SEED_LINE!r} exactly once in the notebook, found {len(hits)} cell(s)")
    hits[0].source = hits[0].source.replace(SEED_LINE, f"SEED = {seed}")
    return nb


def cell_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--seeds", type=int, nargs="+", required=True)
    parser.add_argument("--quick", action="store_true", help="quick mode (what CI runs)")
    parser.add_argument("--timeout", type=int, default=1800, help="per-cell timeout in seconds")
    parser.add_argument("--out", type=Path, help="write every cell's printed text per seed to this JSON file")
    args = parser.parse_args(argv)
    path = args.notebook.resolve()
    original = nbformat.read(path, as_version=4)
    results, failures = {}, 0
    for seed in args.seeds:
        nb = with_seed(original, seed)
        start = time.perf_counter()
        try:
            run_notebook(nb, quick=args.quick, timeout=args.timeout, cwd=path.parent)
            status = "ok"
        except CellExecutionError as error:
            failures += 1
            lines = [line for line in str(error).splitlines() if line.strip()]
            status = "FAILED: " + (lines[-1] if lines else "cell error")
        wall = time.perf_counter() - start
        print(f"seed {seed:>10}  {wall:7.1f} s  {status}", flush=True)
        results[str(seed)] = {"status": status, "wall_s": round(wall, 1),
                              "cells": [cell_text(c) for c in nb.cells if c.cell_type == "code"]}
    if args.out:
        args.out.write_text(json.dumps({"notebook": str(path.relative_to(ROOT)), "quick": args.quick,
                                        "seeds": results}, indent=1))
    print(f"{len(args.seeds) - failures} of {len(args.seeds)} seeds passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
