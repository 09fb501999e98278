"""Fixtures shared by the tests that need the built HTML book.

``built_book`` builds the book once per test run, with warnings as errors
(``jupyter-book build . -W -n --keep-going --all``), and returns the build's result. When
pytest runs in parallel (pytest-xdist, as ``make test`` does) every worker asks for it: a
file lock lets one worker build while the others wait, and a stamp with the run's id lets
them reuse that build instead of building again. ``VAEBOOK_HTML_DIR`` points the tests at
another build (nothing is built then).
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
_LOCAL_RUN = uuid.uuid4().hex  # a run without xdist: this process is the whole run


@dataclass(frozen=True)
class BookBuild:
    html: Path  # _build/html (or $VAEBOOK_HTML_DIR)
    returncode: int | None  # None: not built by this run ($VAEBOOK_HTML_DIR)
    warnings: tuple[str, ...]  # the build log's lines that contain WARNING
    log_tail: str


def _run_id(config) -> str:
    workerinput = getattr(config, "workerinput", None)  # set in xdist's workers
    return workerinput["testrunuid"] if workerinput else _LOCAL_RUN


def _build() -> dict:
    jb = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jb), "build", str(ROOT), "-W", "-n", "--keep-going", "--all"],
                            capture_output=True, text=True, timeout=1200)
    log = result.stdout + result.stderr
    return {"returncode": result.returncode, "log_tail": log[-5000:],
            "warnings": [line for line in log.splitlines() if "WARNING" in line][:50]}


@pytest.fixture(scope="session")
def built_book(request) -> BookBuild:
    """The HTML book, built once in this test run (by whichever worker asks first)."""
    if os.environ.get("VAEBOOK_HTML_DIR"):
        return BookBuild(Path(os.environ["VAEBOOK_HTML_DIR"]), None, (), "")
    BUILD.mkdir(exist_ok=True)
    run = _run_id(request.config)
    stamp = BUILD / ".book-build.json"
    with open(BUILD / ".book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        record = json.loads(stamp.read_text()) if stamp.is_file() else {}
        if record.get("run") != run:
            record = {"run": run, **_build()}
            stamp.write_text(json.dumps(record))
    return BookBuild(BUILD / "html", record["returncode"], tuple(record["warnings"]),
                     record["log_tail"])


@pytest.fixture(scope="session")
def html_book(built_book) -> Path:
    """_build/html, after a build without errors (tests that read the built pages use this)."""
    assert built_book.returncode in (None, 0), built_book.log_tail
    assert (built_book.html / "index.html").is_file(), f"no built book at {built_book.html}"
    return built_book.html
