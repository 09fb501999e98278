"""requirements-lock.txt pins what CI tested (booktools/maintain/lock.py, `make lock`)."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[_canonical(match.group(1))] = match.group(2)
    return pins


REQUIREMENTS = _pins(ROOT / "requirements.txt")
LOCK = _pins(ROOT / "requirements-lock.txt")


def test_lock_covers_every_requirement_at_its_pinned_version():
    assert len(LOCK) > len(REQUIREMENTS) > 20  # the lock holds the dependencies' dependencies
    wrong = {name: (version, LOCK.get(name)) for name, version in REQUIREMENTS.items()
             if LOCK.get(name) != version}
    assert not wrong, (f"requirements.txt and requirements-lock.txt disagree (pinned, locked): "
                       f"{wrong}; run `make lock`")


def test_lock_has_no_local_version_labels():
    labelled = {name: v for name, v in LOCK.items() if "+" in v}
    assert not labelled, f"a lock pin with a local label (+cpu) fails on other machines: {labelled}"


@pytest.mark.parametrize("name", sorted(LOCK))
def test_installed_version_is_the_locked_one(name):
    """What this environment runs is what the lock says (where the package is installed)."""
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        if name in REQUIREMENTS:
            pytest.fail(f"{name} is in requirements.txt but not installed")
        pytest.skip(f"{name} is not needed on this platform")
    assert installed.split("+", 1)[0] == LOCK[name], (
        f"{name} {installed} is installed, the lock says {LOCK[name]}: "
        "pip install -r requirements.txt -c requirements-lock.txt")
