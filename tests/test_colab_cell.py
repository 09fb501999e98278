"""The Colab setup cell: every chapter notebook in _toc.yml starts its code with the
cell that scripts/colab_setup_cell.py generates from _config.yml, and the versions
that cell installs agree with requirements.txt."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _load_script():
    spec = importlib.util.spec_from_file_location("colab_setup_cell", ROOT / "scripts" / "colab_setup_cell.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


colab = _load_script()
NOTEBOOKS = colab.notebooks_in_toc(ROOT)


def first_code_cell(path: Path) -> dict:
    return next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_is_the_generated_setup_cell(path):
    cell = first_code_cell(path)
    assert "".join(cell["source"]) == colab.setup_cell_source(ROOT), (
        f"{path.name}: the first code cell is not the current Colab setup cell; "
        f"run `python scripts/colab_setup_cell.py {path.relative_to(ROOT)}`")
    assert cell["metadata"].get("tags") == colab.TAGS, f"{path.name}: setup cell must be tagged {colab.TAGS}"
    assert cell["outputs"] == [], f"{path.name}: the setup cell stores output (it must do nothing outside Colab)"


def test_setup_cell_pins_agree_with_requirements():
    source = colab.setup_cell_source(ROOT)
    pins = colab.requirement_pins(ROOT)
    named = re.findall(r'"([A-Za-z0-9_.\-]+)==([^"]+)"', source)
    assert named, "the setup cell pins no package"
    for name, version in named:
        assert pins.get(name.lower()) == version, f"setup cell installs {name}=={version}, requirements.txt pins {pins.get(name.lower())}"


def test_setup_cell_uses_the_configured_repository_and_ref():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    source = colab.setup_cell_source(ROOT)
    assert config["repository"]["url"].rstrip("/") in source
    assert re.search(r'"--branch", "' + re.escape(str(config["colab_setup"]["ref"])) + '"', source)
    assert source.count("github.com") == 1, "the repository URL must come only from _config.yml"
    assert 'if "google.colab" in sys.modules:' in source


def test_setup_cell_does_nothing_outside_colab(monkeypatch):
    assert "google.colab" not in sys.modules
    calls = []
    monkeypatch.setattr("subprocess.run", lambda *a, **k: calls.append(a))
    path_before = list(sys.path)
    exec(compile(colab.setup_cell_source(ROOT), "<colab setup cell>", "exec"), {})
    assert calls == [] and sys.path == path_before


def test_script_is_idempotent_and_keeps_execution_order(tmp_path):
    source = colab.setup_cell_source(ROOT)
    path = tmp_path / "nb.ipynb"
    nb = {"cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# Title"]},
                    {"cell_type": "code", "id": "b", "execution_count": 1, "metadata": {},
                     "outputs": [{"output_type": "execute_result", "execution_count": 1, "data": {"text/plain": "1"},
                                  "metadata": {}}], "source": ["1"]}],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb, indent=1) + "\n")
    assert colab.update(path, source) is True
    once = path.read_text()
    assert colab.update(path, source) is False and path.read_text() == once
    cells = json.loads(once)["cells"]
    assert [c["cell_type"] for c in cells] == ["markdown", "code", "code"]
    assert [c["execution_count"] for c in cells[1:]] == [1, 2]
    assert cells[2]["outputs"][0]["execution_count"] == 2
