"""Re-execute the book's notebooks in place, in full mode, and print wall times.

    python -m booktools.maintain.execute_notebooks                 # every notebook in _toc.yml
    python -m booktools.maintain.execute_notebooks chapters/elbo.ipynb

This is what `make execute` runs to regenerate the stored outputs the
rendered book shows. It always runs full mode (it sets VAEBOOK_QUICK=0 in the
kernel's environment) unless --quick is given, which is only for trying the
script out: the book must be committed with full-mode outputs. The mode, the
wall time, the date of the run (`executed_on`, YYYY-MM-DD) and a hash of the
notebook's code cells are written to each notebook's metadata under "vaebook";
tests/test_book.py fails when a notebook's code has changed since its last
full-mode run (`code_hash`). booktools/build/execution_status.py turns that metadata
into the book's execution-status page; a full-mode run regenerates it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from booktools import ROOT
from booktools.notebooks import code_hash, notebooks_in_toc


def run_notebook(nb, *, quick: bool, timeout: int, cwd: Path, env: Mapping[str, str] | None = None) -> float:
    """Execute ``nb`` (in place, in memory) in the given mode; return the wall time in seconds.

    ``env``: extra environment variables for the kernel (e.g. thread counts, see
    booktools/maintain/seed_sweep.py --numerics), set for this run only, like the mode.
    """
    # The kernel inherits this environment: set the mode, and drop MPLBACKEND, which
    # (e.g. MPLBACKEND=Agg, as CI sets it) would replace the inline backend and leave
    # every figure out of the stored outputs.
    env = dict(env or {})
    if "VAEBOOK_QUICK" in env or "MPLBACKEND" in env:
        raise ValueError("run_notebook sets VAEBOOK_QUICK and MPLBACKEND itself; do not pass them in env")
    previous = {key: os.environ.get(key) for key in ("VAEBOOK_QUICK", "MPLBACKEND", *env)}
    os.environ["VAEBOOK_QUICK"] = "1" if quick else "0"
    os.environ.pop("MPLBACKEND", None)
    os.environ.update(env)
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(cwd)}})
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def missing_figures(nb) -> list[str]:
    """The names of the figure cells (``mystnb.figure`` metadata) that have no image output."""
    missing = []
    for cell in nb.cells:
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
        if cell.cell_type != "code" or not figure:
            continue
        if not any("image/png" in out.get("data", {}) for out in cell.get("outputs", [])):
            missing.append(figure.get("name", cell.get("id", "?")))
    return missing


def execute(path: Path, quick: bool, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    wall = run_notebook(nb, quick=quick, timeout=timeout, cwd=path.parent)
    missing = missing_figures(nb)
    if missing:
        raise RuntimeError(f"{path}: figure cells without an image after execution: {missing}; "
                           "the notebook on disk is unchanged (is a non-inline matplotlib "
                           "backend forced in the kernel?)")
    nb.metadata["vaebook"] = {"mode": "quick" if quick else "full", "wall_time_s": round(wall, 1),
                              "executed_on": datetime.date.today().isoformat(),
                              "code_sha256": code_hash(nb)}
    nbformat.write(nb, path)
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all in _toc.yml)")
    parser.add_argument("--quick", action="store_true", help="quick mode (for trying the script; do not commit)")
    parser.add_argument("--timeout", type=int, default=3600, help="per-cell timeout in seconds")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or notebooks_in_toc()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    total = 0.0
    for path in paths:
        print(f"executing {path.relative_to(ROOT)} ({'quick' if args.quick else 'full'} mode) ...", flush=True)
        wall = execute(path, args.quick, args.timeout)
        total += wall
        print(f"  {wall:8.1f} s  {path.relative_to(ROOT)}", flush=True)
    print(f"  {total:8.1f} s  total for {len(paths)} notebook(s)")
    if not args.quick:
        # Pages made from the notebooks follow them: the execution-status page and the
        # teaching page's run times (metadata), and the reader notebooks (outputs).
        from booktools.build import execution_status, reader_notebooks

        execution_status.main([])
        if reader_notebooks.main([]) != 0:  # their numbers come from a current build
            print("the reader notebooks were not refreshed: run `make reader`", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
