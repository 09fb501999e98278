"""The Colab setup cell: every chapter notebook in _toc.yml starts its code with the
cell that booktools/build/colab_setup_cell.py generates from _config.yml, the versions
that cell installs agree with requirements.txt, and the cell really works.

The last part (``test_setup_cell_runs_as_on_colab``) executes each chapter's own
setup cell in a subprocess that pretends to be Colab (a fake ``google.colab``
module), against a local copy of this repository's history: the cell clones the
configured ref (``repository: branch:``) from it, pip-installs the helper package
from that clone (offline, into a throwaway virtual environment that sees the
project's installed packages; the project's own environment is not touched),
and then every name the chapter imports from ``vaebook`` must import from the
clone. So a chapter that uses a helper the ref lacks fails here, not on Colab.
What is checked is the committed history: uncommitted changes are not in a clone.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _load_script():
    from booktools.build import colab_setup_cell

    return colab_setup_cell


colab = _load_script()
NOTEBOOKS = colab.notebooks_in_toc(ROOT)


def first_code_cell(path: Path) -> dict:
    return next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_is_the_generated_setup_cell(path):
    cell = first_code_cell(path)
    assert "".join(cell["source"]) == colab.setup_cell_source(ROOT), (
        f"{path.name}: the first code cell is not the current Colab setup cell; "
        f"run `python -m booktools.build.colab_setup_cell {path.relative_to(ROOT)}`")
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
    # One ref: the one the launch buttons open (`repository: branch:`), nothing else.
    assert "ref" not in (config.get("colab_setup") or {}), "`colab_setup: ref:` is gone: set `repository: branch:`"
    assert re.search(r'"--branch", "' + re.escape(str(config["repository"]["branch"])) + '"', source)
    assert source.count("github.com") == 1, "the repository URL must come only from _config.yml"
    assert 'if "google.colab" in sys.modules:' in source
    assert '"-c", "advice.detachedHead=false"' in source, "a clone of a tag must not print git's detached-HEAD advice"


def test_setup_cell_is_short_and_readable():
    lines = colab.setup_cell_source(ROOT).splitlines()
    assert max(len(line) for line in lines) <= 88, [line for line in lines if len(line) > 88]
    assert len(lines) <= 18, f"the setup cell is the first thing a Colab reader sees: keep it short ({len(lines)} lines)"


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


# ---------------------------------------------------------------------------
# The setup cell run as on Colab, against a local copy of this repository.
# ---------------------------------------------------------------------------

RESULT_MARK = "@@colab-check@@ "


def git(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


def ref_in_repository(ref: str, root: Path = ROOT) -> str | None:
    """The full name under which ``ref`` exists in ``root`` (a local branch, a tag, or
    the remote-tracking branch origin/<ref>: a fresh CI clone of main may have main
    only as a local branch, a developer's clone a release branch only as origin/<ref>)."""
    where = git("rev-parse", "--git-dir", cwd=root)
    if where.returncode != 0:
        pytest.fail(f"cannot read the git repository at {root}: {where.stderr.strip()}", pytrace=False)
    for full in (f"refs/heads/{ref}", f"refs/tags/{ref}", f"refs/remotes/origin/{ref}"):
        if git("rev-parse", "--verify", "--quiet", f"{full}^{{commit}}", cwd=root).returncode == 0:
            return full
    return None


def missing_ref_message(ref: str, short: bool = False) -> str:
    kind = "tag" if re.match(r"^v?\d", ref) else "branch"
    make = f"git tag {ref}" if kind == "tag" else f"git branch {ref}"
    if short:
        return (f"_config.yml `repository: branch:` is {ref!r}, which is not in this repository: create the "
                f"{kind} {ref!r} (see test_configured_ref_exists_in_this_repository)")
    return (f"_config.yml `repository: branch:` is {ref!r}, but this repository has no branch or tag {ref!r} "
            f"(looked for refs/heads/{ref}, refs/tags/{ref}, refs/remotes/origin/{ref}). The Colab launch buttons "
            f"open the notebooks at that ref and every chapter's setup cell clones it, so on Colab every chapter "
            f"fails. Create the {kind} {ref!r} and push it (`{make} <commit> && git push origin {ref}`), or set "
            f"`repository: branch:` to a ref that exists and run `make colab`.")


def vaebook_imports(path: Path) -> list[str]:
    """One import statement per name the chapter imports from vaebook, in order:
    ``from vaebook.maths import a as b`` gives ``from vaebook.maths import a``."""
    from IPython.core.inputtransformer2 import TransformerManager  # turns %magics and !shell into Python

    transform = TransformerManager().transform_cell
    statements: list[str] = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(transform("".join(cell["source"])), filename=f"{path.name} (a code cell)")
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                statements += [f"import {a.name}" for a in node.names if a.name.split(".")[0] == "vaebook"]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] == "vaebook":
                statements += [f"from {node.module} import {a.name}" for a in node.names]
    return list(dict.fromkeys(statements))


def site_snapshot(site: Path) -> dict[str, object]:
    """What pip would change if it installed into (or uninstalled from) this environment."""
    files = {str(p.relative_to(site)): p.read_bytes()
             for entry in site.glob("*vaebook*") for p in ([entry] if entry.is_file() else sorted(entry.rglob("*")))
             if p.is_file()}
    return {"entries": sorted(p.name for p in site.iterdir()), "vaebook files": files}


@pytest.fixture(scope="module")
def colab_sandbox(tmp_path_factory):
    """One local origin, one (lazily made) clone and one throwaway venv for every chapter.

    Returns ``error`` (why the check cannot run: the tests fail with it) or what the
    chapters' runs share. Nothing here is skipped: a missing git is a failure.
    """
    if shutil.which("git") is None:
        return SimpleNamespace(error="git is not on PATH: the Colab check clones this repository as the setup "
                                     "cell does on Colab; install git (the check must run, not be skipped)")
    url, ref, _ = colab.settings(ROOT)
    found = ref_in_repository(ref)
    if found is None:
        return SimpleNamespace(error=missing_ref_message(ref, short=True))
    tmp = tmp_path_factory.mktemp("colab")

    # The "public repository": every ref of this one, and <ref> as a branch when this
    # clone has it only as origin/<ref>. Cloned over file:// below, so the cell's
    # --depth 1 really makes a shallow clone, as from GitHub.
    origin = tmp / "origin.git"
    done = git("clone", "--quiet", "--mirror", str(ROOT), str(origin))
    assert done.returncode == 0, f"git clone --mirror {ROOT} failed:\n{done.stderr}"
    if found.startswith("refs/remotes/"):
        done = git("update-ref", f"refs/heads/{ref}", found, cwd=origin)
        assert done.returncode == 0, done.stderr

    # A throwaway venv that sees the packages of the environment running the tests
    # (a .pth line adds its site-packages, without running that environment's own
    # .pth files, so its editable install of the working tree stays invisible).
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    venv_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                    capture_output=True, text=True, check=True).stdout.strip())
    sites = list(dict.fromkeys(Path(sysconfig.get_paths()[k]) for k in ("purelib", "platlib")))
    (venv_site / "_project_packages.pth").write_text("".join(f"{s}\n" for s in sites))

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV", "VAEBOOK_"))}
    env.update(
        PIP_NO_INDEX="1",                 # offline: everything the cell installs is already in the project's env
        PIP_NO_BUILD_ISOLATION="0",       # "0" DISABLES build isolation (pip reads it as build_isolation=False),
                                          # so `pip install -e` builds with the setuptools the project's env has
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_CONFIG_FILE=os.devnull,
        PIP_CACHE_DIR=str(tmp / "pip-cache"),
        PYTHONNOUSERSITE="1",
        PYTHONDONTWRITEBYTECODE="1",      # not even .pyc files in the project's env
        GIT_TERMINAL_PROMPT="0",
        MPLBACKEND="Agg",
    )
    return SimpleNamespace(error=None, url=url, ref=ref, origin_url=origin.as_uri(), clone=tmp / "clone",
                           python=python, env=env, sites=sites, tmp=tmp)


def cell_for_local_run(source: str, sandbox) -> str:
    """The cell with only the repository URL and the clone directory replaced by local paths."""
    url, clone_dir = f'"{sandbox.url}"', f'"{colab.CLONE_DIR}'
    assert source.count(url) == 1, (f"the setup cell does not name the configured repository {sandbox.url} "
                                    f"exactly once; run `make colab`")
    assert clone_dir in source, f"the setup cell does not use {colab.CLONE_DIR}; run `make colab`"
    local = source.replace(url, f'"{sandbox.origin_url}"').replace(clone_dir, f'"{sandbox.clone}')
    assert clone_dir not in local and url not in local
    return local


def run_as_on_colab(path: Path, cell: str, sandbox) -> subprocess.CompletedProcess:
    """Run ``cell`` (the chapter's setup cell, made local) in a fake Colab, then import what the chapter imports."""
    script = "\n".join([
        "import sys, types",
        'sys.modules["google.colab"] = types.ModuleType("google.colab")',
        f"exec(compile({cell_for_local_run(cell, sandbox)!r}, {'<setup cell of ' + path.name + '>'!r}, 'exec'),",
        "     {'__name__': '__main__'})",
        "import json",
        "failed = []",
        f"for statement in {vaebook_imports(path)!r}:",
        "    try:",
        "        exec(statement, {})",
        "    except Exception as error:",
        "        failed.append([statement, f'{type(error).__name__}: {error}'])",
        "import vaebook",
        f"print({RESULT_MARK!r} + json.dumps({{'vaebook': vaebook.__file__, 'failed': failed}}))",
    ])
    return subprocess.run([str(sandbox.python), "-c", script], cwd=sandbox.tmp, env=sandbox.env,
                          capture_output=True, text=True, timeout=600)


def test_configured_ref_exists_in_this_repository():
    _, ref, _ = colab.settings(ROOT)
    if shutil.which("git") is None:
        pytest.fail("git is not on PATH: cannot look for the Colab ref; install git", pytrace=False)
    if ref_in_repository(ref) is None:
        pytest.fail(missing_ref_message(ref), pytrace=False)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_setup_cell_runs_as_on_colab(path, colab_sandbox):
    sandbox = colab_sandbox
    if sandbox.error:
        pytest.fail(sandbox.error, pytrace=False)
    before = [site_snapshot(s) for s in sandbox.sites]
    cell = "".join(first_code_cell(path)["source"])
    done = run_as_on_colab(path, cell, sandbox)
    assert [site_snapshot(s) for s in sandbox.sites] == before, "the check changed the project's environment"
    stale = "" if cell == colab.setup_cell_source(ROOT) else (
        " (this chapter's setup cell is not the generated one: run `make colab`)")
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if done.returncode != 0 or not lines:
        pytest.fail(f"{path.name}: the setup cell failed as on Colab at ref {sandbox.ref!r}{stale}\n"
                    f"--- stdout ---\n{done.stdout[-3000:]}\n--- stderr ---\n{done.stderr[-6000:]}", pytrace=False)
    result = json.loads(lines[-1][len(RESULT_MARK):])
    if result["failed"]:
        pytest.fail(f"{path.name} imports names that the helper package at ref {sandbox.ref!r} (what Colab "
                    f"installs) lacks (added after that ref, or not committed): commit them, or set "
                    f"`repository: branch:` to a ref that has them and run `make colab`:\n"
                    + "\n".join(f"  {statement}  ->  {error}" for statement, error in result["failed"]),
                    pytrace=False)
    assert Path(result["vaebook"]).resolve().is_relative_to(sandbox.clone.resolve()), (
        f"{path.name}: vaebook was imported from {result['vaebook']}, not from the clone at {sandbox.clone}")
