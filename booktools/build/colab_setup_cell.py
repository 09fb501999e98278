"""Insert or update the Colab setup cell of chapter notebooks, without re-executing them.

    python -m booktools.build.colab_setup_cell                    # every notebook in _toc.yml
    python -m booktools.build.colab_setup_cell chapters/elbo.ipynb
    python -m booktools.build.colab_setup_cell --check            # exit 1 if any notebook is out of date

Every chapter's first code cell is this generated cell. On Colab (and only
there: it is guarded by ``"google.colab" in sys.modules``) it clones the
book's repository at the ref the Colab launch buttons open, installs the
helper package ``vaebook`` from that clone and pip-installs the pinned
packages Colab lacks. Everything comes from _config.yml:

* ``repository: url:``  the public repository (the one place that names it);
* ``repository: branch:``  the ONE ref: Jupyter Book's launch buttons open the
  notebooks at it and this cell clones it, so a notebook always runs against
  the helper package of its own commit. ``main`` by default; a release sets it
  to the release tag (CONTRIBUTING.md, "Colab: the setup cell and releases"). It must exist on the
  public repository (tests/test_colab_cell.py fails if it is not in this one);
* ``colab_setup: packages:``  packages Colab lacks; their versions are taken
  from requirements.txt, so the cell and the local environment agree.

The cell is tagged ``remove-cell``: the HTML book does not show it (it has
no output anywhere but Colab). The script is idempotent: a notebook that
already has the current cell is left byte-identical. A newly inserted cell
gets execution count 1 and empty outputs, and the later cells' counts are
shifted by one, so the notebook still reads as executed in order.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
import yaml

from booktools import ROOT
from booktools.notebooks import notebooks_in_toc

MARKER = "# Colab setup, generated from _config.yml by booktools.build.colab_setup_cell."
# How an existing setup cell is recognised (this and older versions of MARKER);
# booktools/maintain/execute_notebooks.py also leaves cells starting "# Colab setup" out of its hash.
MARKER_PREFIX = "# Colab setup"
MAX_LINE = 88  # the cell is the first thing a Colab reader sees
TAGS = ["remove-cell"]
CLONE_DIR = "/content/vaebook"


def requirement_pins(root: Path = ROOT) -> dict[str, str]:
    """``name -> version`` for every ``name==version`` line of requirements.txt (names lower-cased)."""
    pins = {}
    for line in (root / "requirements.txt").read_text().splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)", line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def settings(root: Path = ROOT) -> tuple[str, str, list[str]]:
    """(repository URL, ref, ["name==version", ...]) from _config.yml and requirements.txt.

    The ref is ``repository: branch:``, the ref the launch buttons open.
    """
    config = yaml.safe_load((root / "_config.yml").read_text())
    url = config["repository"]["url"].rstrip("/")
    ref = str(config["repository"].get("branch") or "")
    if not ref:
        raise SystemExit("_config.yml: `repository: branch:` is not set (the ref the Colab cell clones)")
    colab = config.get("colab_setup") or {}
    if "ref" in colab:
        raise SystemExit("_config.yml: `colab_setup: ref:` is gone; the Colab cell clones `repository: branch:` "
                         "(the ref the launch buttons open), so set that one")
    pins = requirement_pins(root)
    missing = [p for p in colab.get("packages", []) if p.lower() not in pins]
    if missing:
        raise SystemExit(f"colab_setup: packages {missing} have no `name==version` pin in requirements.txt")
    return url, ref, [f"{p}=={pins[p.lower()]}" for p in colab.get("packages", [])]


def setup_cell_source(root: Path = ROOT) -> str:
    url, ref, packages = settings(root)
    packages_args = ", ".join(f'"{p}"' for p in packages)  # e.g. "corner==2.3.0"
    # Written as `ruff format` / `ruff check` leave it (the chapters are formatted with
    # ruff, tests/test_code_style.py), so formatting a notebook never changes this cell.
    lines = [
        MARKER,
        "# Outside Colab it does nothing. On Colab it clones the book at the ref the Colab",
        "# button opened and installs the book's helper package and what Colab lacks.",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        "    import os",
        "    import subprocess",
        "",
        f'    repo, clone = "{url}", "{CLONE_DIR}"',
        "    if not os.path.isdir(clone):",
        '        git = ["git", "-c", "advice.detachedHead=false", "clone", "--quiet"]',
        f'        branch = ["--depth", "1", "--branch", "{ref}"]',
        "        subprocess.run([*git, *branch, repo, clone], check=True)",
        '    pip = [sys.executable, "-m", "pip", "install", "--quiet"]',
        f'    subprocess.run([*pip, "-e", clone, {packages_args}], check=True)',
        '    sys.path.insert(0, clone + "/src")  # the install covers restarts',
    ]
    long = [line for line in lines if len(line) > MAX_LINE]
    if long:
        raise SystemExit(f"the Colab setup cell has lines over {MAX_LINE} characters (a long repository URL, "
                         f"ref or package list in _config.yml?): {long}")
    return "\n".join(lines)


def is_setup_cell(cell) -> bool:
    first_line = cell.source.split("\n", 1)[0]
    return (cell.cell_type == "code" and first_line.startswith(MARKER_PREFIX)
            and "colab_setup_cell" in first_line)


def update(path: Path, source: str) -> bool:
    """Insert or refresh the setup cell of one notebook; return True if the file changed."""
    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    existing = [c for c in nb.cells if is_setup_cell(c)]
    if existing:
        cell = existing[0]
        cell.source = source
        cell.metadata["tags"] = list(TAGS)
        cell.outputs = []
        for extra in existing[1:]:
            nb.cells.remove(extra)
    else:
        code = [c for c in nb.cells if c.cell_type == "code"]
        for c in code:
            if c.execution_count:
                c.execution_count += 1
            for out in c.get("outputs", []):
                if out.get("execution_count"):
                    out["execution_count"] += 1
        cell = nbformat.v4.new_code_cell(source=source, metadata={"tags": list(TAGS)}, execution_count=1)
        if nb.nbformat_minor >= 5:
            cell["id"] = "colab-setup"  # a fixed id, so re-running on a copy gives the same file
        else:
            cell.pop("id", None)
        position = nb.cells.index(code[0]) if code else len(nb.cells)
        nb.cells.insert(position, cell)
    after = nbformat.writes(nb) + "\n"
    if after != before:
        path.write_text(after, encoding="utf-8")
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: every notebook in _toc.yml)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook needs updating")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or notebooks_in_toc()
    source = setup_cell_source()
    stale = []
    for path in paths:
        if args.check:
            nb = nbformat.read(path, as_version=4)
            code = [c for c in nb.cells if c.cell_type == "code"]
            ok = code and code[0].source == source and code[0].metadata.get("tags") == TAGS
            if not ok:
                stale.append(path)
            print(f"{'ok     ' if ok else 'STALE  '} {path.relative_to(ROOT)}")
        else:
            changed = update(path, source)
            print(f"{'updated' if changed else 'ok     '} {path.relative_to(ROOT)}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
