"""Count the asserts that quick mode makes vacuous, chapter by chapter.

    python -m booktools.checks.quick_mode_asserts          # every notebook in _toc.yml

Quick mode (CI) may shrink sizes and epochs, and so may need looser bounds,
but an assert whose quick-mode bound is so loose that it can no longer fail
tests nothing where the tests run. This script reads every code cell with
Python's ``ast`` and reports each ``budget(full=F, quick=Q)`` with numeric
F and Q (the book's way to give a bound per mode) that is vacuous in quick
mode by one of these mechanical rules:

* Q is not finite (``np.inf``, ``-np.inf``): the comparison always holds;
* the call is a lower bound in an assert (``x > budget(...)``, possibly times
  a positive scale) and F > 0 but Q <= 0: the claim "x is positive" is gone;
* a bound in an assert that quick mode loosens tenfold or more
  (Q / F >= 10 for an upper bound, Q / F <= 0.1 for a lower bound).

tests/test_quick_mode_asserts.py requires zero. Choose quick-mode bounds
from a seed sweep (booktools/maintain/seed_sweep.py) and record them in
tests/quick_mode_calibration.md.
"""

from __future__ import annotations

import ast
import math
import sys
from pathlib import Path

import nbformat

from booktools import ROOT
from booktools.notebooks import notebooks_in_toc

LOOSENING_LIMIT = 10.0
_INF_NAMES = {"np.inf", "numpy.inf", "math.inf", "np.infty"}


def _number(node: ast.AST) -> float | None:
    """The value of a numeric constant expression, or None if it is anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _number(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.Attribute) and ast.unparse(node) in _INF_NAMES:
        return math.inf
    if (isinstance(node, ast.Call) and ast.unparse(node.func) == "float" and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).lower() in ("inf", "-inf", "nan")):
        return float(node.args[0].value)
    return None


def _budget_values(node: ast.AST) -> tuple[float, float] | None:
    if not (isinstance(node, ast.Call) and ast.unparse(node.func) in ("budget", "vaebook.budget")):
        return None
    kw = {k.arg: k.value for k in node.keywords}
    if "full" not in kw or "quick" not in kw:
        return None
    full, quick = _number(kw["full"]), _number(kw["quick"])
    return None if full is None or quick is None else (full, quick)


def _bound_kind(compare: ast.Compare, call: ast.Call) -> str | None:
    """'upper' if the comparison bounds something from above by an expression holding ``call``, 'lower' if from below."""
    operands = [compare.left, *compare.comparators]
    for i, op in enumerate(compare.ops):
        left, right = operands[i], operands[i + 1]
        for side, expr in (("right", right), ("left", left)):
            if any(n is call for n in ast.walk(expr)):
                if isinstance(op, (ast.Lt, ast.LtE)):
                    return "upper" if side == "right" else "lower"
                if isinstance(op, (ast.Gt, ast.GtE)):
                    return "lower" if side == "right" else "upper"
    return None


def vacuous_bounds(source: str) -> list[str]:
    """Descriptions of the quick-mode-vacuous budget bounds in one cell's source."""
    try:
        tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return []
    found = []
    asserts = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
    for call in ast.walk(tree):
        values = _budget_values(call)
        if values is None:
            continue
        full, quick = values
        text = ast.unparse(call)
        if not math.isfinite(quick):
            found.append(f"line {call.lineno}: {text}: the quick-mode value is not finite")
            continue
        kinds = {_bound_kind(cmp, call) for a in asserts for cmp in ast.walk(a.test)
                 if isinstance(cmp, ast.Compare) and any(n is call for n in ast.walk(cmp))} - {None}
        if "lower" in kinds and full > 0 and quick <= 0:
            found.append(f"line {call.lineno}: {text}: a positive lower bound dropped to {quick:g} in quick mode")
        elif "lower" in kinds and full > 0 and quick / full <= 1 / LOOSENING_LIMIT:
            found.append(f"line {call.lineno}: {text}: lower bound loosened {LOOSENING_LIMIT:g}x or more")
        elif "upper" in kinds and full > 0 and quick / full >= LOOSENING_LIMIT:
            found.append(f"line {call.lineno}: {text}: upper bound loosened {LOOSENING_LIMIT:g}x or more")
    return found


def report(paths: list[Path]) -> dict[str, list[str]]:
    """``notebook -> [vacuous bound, ...]`` for every notebook in ``paths``."""
    result = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        hits = []
        for index, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            hits += [f"code cell {index}, {hit}" for hit in vacuous_bounds(cell.source)]
        result[str(path.relative_to(ROOT))] = hits
    return result


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p).resolve() for p in (argv if argv is not None else sys.argv[1:])] or notebooks_in_toc()
    total = 0
    for name, hits in report(paths).items():
        total += len(hits)
        print(f"{len(hits):3d}  {name}")
        for hit in hits:
            print(f"       {hit}")
    print(f"{total:3d}  vacuous quick-mode bounds in total")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
