"""The chapters' code is formatted and linted by ruff (pyproject.toml, [tool.ruff]) to the
88 characters the book's code column shows, so no code cell scrolls sideways."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"


def ruff(*args: str) -> subprocess.CompletedProcess:
    if not RUFF.is_file():
        pytest.fail(f"ruff is not installed next to {sys.executable}; pip install -r requirements.txt")
    return subprocess.run([str(RUFF), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_chapters_are_formatted_by_ruff():
    result = ruff("format", "--check", "chapters/")
    assert result.returncode == 0, (
        "these chapters are not formatted; run `.venv/bin/ruff format chapters/` and re-execute them:\n"
        + result.stdout + result.stderr)


def test_chapters_pass_ruff_check():
    result = ruff("check", "chapters/")
    assert result.returncode == 0, "`ruff check chapters/` finds:\n" + result.stdout[-5000:] + result.stderr


def test_ruff_catches_a_long_line(tmp_path):
    """The check can fail: a cell line over the width is reported."""
    long_line = "x = " + " + ".join(["1"] * 40) + "  # a comment that makes the line far too long\n"
    (tmp_path / "wide.py").write_text(long_line)
    result = ruff("check", "--config", str(ROOT / "pyproject.toml"), str(tmp_path / "wide.py"))
    assert result.returncode == 1 and "E501" in result.stdout
