"""Re-execute the book's notebooks in place, in full mode, and print wall times.

    python scripts/execute_notebooks.py                 # every notebook in _toc.yml
    python scripts/execute_notebooks.py chapters/elbo.ipynb

This is what `make execute` runs to regenerate the stored outputs the
rendered book shows. It always runs full mode (it removes VAEBOOK_QUICK from
the kernel's environment) unless --quick is given, which is only for trying
the script out: the book must be committed with full-mode outputs. The wall
time and mode are written to each notebook's metadata under "vaebook".
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def notebooks_in_toc(root: Path = ROOT) -> list[Path]:
    """Every .ipynb named in _toc.yml, in reading order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [root / f"{f}.ipynb" for f in files if (root / f"{f}.ipynb").is_file()]


def execute(path: Path, quick: bool, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    env_quick = "1" if quick else "0"
    previous = os.environ.get("VAEBOOK_QUICK")
    os.environ["VAEBOOK_QUICK"] = env_quick  # the kernel inherits this environment
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute()
        wall = time.perf_counter() - start
    finally:
        if previous is None:
            os.environ.pop("VAEBOOK_QUICK", None)
        else:
            os.environ["VAEBOOK_QUICK"] = previous
    nb.metadata["vaebook"] = {"mode": "quick" if quick else "full", "wall_time_s": round(wall, 1)}
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
