"""No chapter assert is vacuous in quick mode (booktools/checks/quick_mode_asserts.py), and
the counter itself recognises each kind of vacuous bound."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
from booktools.checks import quick_mode_asserts as qma
from booktools.notebooks import notebooks_in_toc


@pytest.mark.parametrize("path", notebooks_in_toc(ROOT), ids=lambda p: p.stem)
def test_no_assert_is_vacuous_in_quick_mode(path):
    hits = qma.report([path])[str(path.relative_to(ROOT))]
    assert not hits, (f"{path.name}: quick mode makes these bounds vacuous (choose quick bounds from "
                      f"booktools/maintain/seed_sweep.py, record them in tests/quick_mode_calibration.md):\n"
                      + "\n".join(hits))


@pytest.mark.parametrize("source", [
    "assert margin > budget(full=5.0, quick=-np.inf) * se",
    "slack = budget(full=0.0, quick=np.inf)",
    "assert x < budget(full=1.0, quick=float('inf'))",
    "assert abs(corr) > budget(full=0.9, quick=0.0)",
    "assert gap > budget(full=5.0, quick=-5.0) * se",
    "assert share < budget(full=0.01, quick=1.0)",
    "assert rms < budget(full=1.0, quick=10.0) * noise",
    "assert budget(full=0.9, quick=0.05) < r2",
    "assert 0 < r2 and r2 > budget(full=0.85, quick=0.0)",
])
def test_counter_flags_vacuous_bounds(source):
    assert qma.vacuous_bounds(source), f"not flagged: {source}"


@pytest.mark.parametrize("source", [
    "assert margin > budget(full=5.0, quick=2.0) * se",
    "assert abs(corr) > budget(full=0.9, quick=0.6)",
    "assert rms < budget(full=1.0, quick=3.0) * noise",
    "num_epochs = budget(full=40, quick=2)",  # sizes and epochs may shrink by any factor
    "assert x < 0.5",
])
def test_counter_accepts_meaningful_bounds(source):
    assert qma.vacuous_bounds(source) == []
