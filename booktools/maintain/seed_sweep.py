"""Run a chapter with other seeds, to calibrate and check the bounds its asserts use.

    python -m booktools.maintain.seed_sweep chapters/rotation_curves.ipynb --seeds 1 2 3 4 5 --quick
    python -m booktools.maintain.seed_sweep chapters/nonlinear_ppca.ipynb --seeds 7 8 --out sweep.json
    python -m booktools.maintain.seed_sweep chapters/elbo.ipynb --seeds 1 2 --quick --numerics other

Every chapter seeds everything from one line, ``SEED = vaebook.DEFAULT_SEED``.
This script executes an in-memory copy of the notebook with that line replaced
by ``SEED = <seed>`` (the file on disk is never changed), once per seed, and
prints for each seed whether every cell ran (so every assert held) or which
cell failed and why. With ``--out`` it writes, per seed, the printed text of
every code cell, so the quantities an assert checks can be read off across
seeds (``--probe CELL:EXPR`` prints one that a cell does not). A quick-mode bound in a chapter is chosen from such a sweep; the
results are recorded in tests/quick_mode_calibration.md.

Floating-point results depend on the machine's numerics (thread counts, which
split sums differently, and TensorFlow's oneDNN kernels), so bounds are
calibrated under two settings, chosen with ``--numerics`` and set in the
kernel's environment (see NUMERICS): ``default`` (oneDNN on, 2 threads) and
``other`` (oneDNN off, 1 thread). Without ``--numerics`` the kernel inherits
the current environment ("inherited" in the output).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

from booktools import ROOT
from booktools.maintain.execute_notebooks import run_notebook

SEED_LINE = "SEED = vaebook.DEFAULT_SEED"

# Environment variables for the kernel per numerics setting. Each is read at start-up:
# TF_ENABLE_ONEDNN_OPTS by TensorFlow (oneDNN custom ops on/off), TF_NUM_INTRAOP_THREADS and
# TF_NUM_INTEROP_THREADS by TensorFlow's thread pools (tf.config.threading's getters still
# report 0, "not set", but the pools' sizes follow them), OMP_NUM_THREADS by PyTorch
# (torch.get_num_threads()) and by NumPy's OpenBLAS, MKL_NUM_THREADS and OPENBLAS_NUM_THREADS
# by the BLAS libraries (they take precedence over OMP_NUM_THREADS).
NUMERICS = {
    "default": {"TF_ENABLE_ONEDNN_OPTS": "1", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2",
                "OPENBLAS_NUM_THREADS": "2", "TF_NUM_INTRAOP_THREADS": "2", "TF_NUM_INTEROP_THREADS": "2"},
    "other": {"TF_ENABLE_ONEDNN_OPTS": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "OPENBLAS_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"},
}
# "other" on an AVX2 machine changes few bits (TensorFlow's results do not depend on oneDNN or the
# thread count there; PyTorch's only through multithreaded reductions). "narrow" adds narrower
# vector code, as on an older CPU: PyTorch's own kernels without SIMD, MKL and oneDNN limited to
# SSE4, OpenBLAS's Nehalem kernels. It changes PyTorch's training; TensorFlow's kernels are chosen
# when it is built, so its results stay the same.
NUMERICS["narrow"] = {**NUMERICS["other"], "ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
                      "ONEDNN_MAX_CPU_ISA": "SSE41", "OPENBLAS_CORETYPE": "Nehalem"}


def with_seed(nb, seed: int):
    """A copy of ``nb`` whose seed line reads ``SEED = seed``; the line must occur exactly once."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    hits = [c for c in nb.cells if c.cell_type == "code" and SEED_LINE in c.source]
    if len(hits) != 1 or hits[0].source.count(SEED_LINE) != 1:
        raise SystemExit(f"expected the line {SEED_LINE!r} exactly once in the notebook, found {len(hits)} cell(s)")
    hits[0].source = hits[0].source.replace(SEED_LINE, f"SEED = {seed}")
    for cell in nb.cells:  # so that the cells after a failing one show nothing, not the stored run
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def with_probes(nb, probes: list[str]):
    """Append ``print(EXPR)`` to code cells of ``nb`` (in place), for each ``CELL:EXPR`` in ``probes``.

    CELL counts code cells from 0, as --out numbers them. A probe reads off a quantity that an
    assert checks but the cell does not print; it only prints, so it changes no number.
    """
    code = [c for c in nb.cells if c.cell_type == "code"]
    for probe in probes:
        index, sep, expr = probe.partition(":")
        if not sep or not index.strip().isdigit() or not expr.strip() or int(index) >= len(code):
            raise SystemExit(f"--probe {probe!r}: expected CELL:EXPR with CELL < {len(code)}")
        cell = code[int(index)]
        cell.source = cell.source.rstrip("\n") + f"\nprint('probe', {expr.strip()!r}, '=', {expr.strip()})\n"
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
    parser.add_argument("--probe", action="append", default=[], metavar="CELL:EXPR",
                        help="also print EXPR at the end of code cell CELL (as --out numbers them); repeatable")
    parser.add_argument("--numerics", choices=sorted(NUMERICS),
                        help="set the kernel's threads and oneDNN (see NUMERICS); default: inherit the environment")
    args = parser.parse_args(argv)
    path = args.notebook.resolve()
    original = nbformat.read(path, as_version=4)
    results, failures = {}, 0
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    numerics = args.numerics or "inherited"
    env = NUMERICS.get(args.numerics, {})
    for seed in args.seeds:
        nb = with_probes(with_seed(original, seed), args.probe)
        start = time.perf_counter()
        try:
            run_notebook(nb, quick=args.quick, timeout=args.timeout, cwd=path.parent, env=env)
            status = "ok"
        except CellExecutionError as error:
            failures += 1
            lines = [line for line in str(error).splitlines() if line.strip()]
            status = "FAILED: " + (lines[-1] if lines else "cell error")
        wall = time.perf_counter() - start
        print(f"seed {seed:>10}  numerics {numerics}  {wall:7.1f} s  {status}", flush=True)
        results[str(seed)] = {"status": status, "numerics": numerics, "wall_s": round(wall, 1),
                              "cells": [cell_text(c) for c in nb.cells if c.cell_type == "code"]}
        if args.out:  # after every seed, so that an interrupted sweep keeps what it has
            args.out.write_text(json.dumps({"notebook": str(shown), "quick": args.quick,
                                            "numerics": numerics, "env": env, "seeds": results}, indent=1))
    print(f"{len(args.seeds) - failures} of {len(args.seeds)} seeds passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
