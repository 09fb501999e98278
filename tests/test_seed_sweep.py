"""booktools/maintain/seed_sweep.py: the seed replacement and the --numerics settings, which must reach the
kernel (thread counts and oneDNN are read from its environment at start-up)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
from booktools.maintain import seed_sweep
from booktools.maintain.execute_notebooks import run_notebook

PROBE = """\
import os
import vaebook
SEED = vaebook.DEFAULT_SEED
print("seed", SEED)
print("omp", os.environ.get("OMP_NUM_THREADS"), "onednn", os.environ.get("TF_ENABLE_ONEDNN_OPTS"))
"""


def probe_notebook(path: Path, source: str = PROBE) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_with_seed_replaces_the_seed_line_once():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PROBE)]
    assert "SEED = 7\n" in seed_sweep.with_seed(nb, 7).cells[0].source
    assert nb.cells[0].source == PROBE  # the original is untouched
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    with pytest.raises(SystemExit):
        seed_sweep.with_seed(nb, 7)


def test_run_notebook_env_reaches_the_kernel_and_is_restored(tmp_path, monkeypatch):
    monkeypatch.delenv("VAEBOOK_TEST_PROBE", raising=False)
    nb = nbformat.read(probe_notebook(tmp_path / "probe.ipynb",
                                      'import os\nprint(os.environ.get("VAEBOOK_TEST_PROBE"))'), as_version=4)
    run_notebook(nb, quick=True, timeout=120, cwd=tmp_path, env={"VAEBOOK_TEST_PROBE": "reached"})
    assert nb.cells[0].outputs[0]["text"].strip() == "reached"
    assert "VAEBOOK_TEST_PROBE" not in os.environ
    with pytest.raises(ValueError):
        run_notebook(nb, quick=True, timeout=120, cwd=tmp_path, env={"VAEBOOK_QUICK": "0"})


@pytest.mark.parametrize("numerics", sorted(seed_sweep.NUMERICS))
def test_numerics_setting_reaches_the_kernel(numerics, tmp_path, capsys):
    """The setting's variables are in the kernel's environment and take effect (PyTorch's
    thread count), and the setting is printed and stored in --out."""
    env = seed_sweep.NUMERICS[numerics]
    source = PROBE + ("import torch\nprint('torch threads', torch.get_num_threads())\n"
                      "print('torch capability', torch.backends.cpu.get_cpu_capability())\n")
    path = probe_notebook(tmp_path / "probe.ipynb", source)
    out = tmp_path / "sweep.json"
    assert seed_sweep.main([str(path), "--quick", "--seeds", "3", "--numerics", numerics, "--out", str(out)]) == 0
    assert f"numerics {numerics}" in capsys.readouterr().out
    result = json.loads(out.read_text())
    assert result["numerics"] == numerics and result["env"] == env
    text = result["seeds"]["3"]["cells"][0]
    assert "seed 3\n" in text
    assert f"omp {env['OMP_NUM_THREADS']} onednn {env['TF_ENABLE_ONEDNN_OPTS']}\n" in text
    assert f"torch threads {env['OMP_NUM_THREADS']}\n" in text
    if "ATEN_CPU_CAPABILITY" in env:  # "narrow": PyTorch's kernels without SIMD
        assert "torch capability DEFAULT\n" in text


def test_with_probes_appends_a_print_to_the_numbered_code_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("text"), nbformat.v4.new_code_cell("a = 1"),
                nbformat.v4.new_code_cell("b = 2\n")]
    seed_sweep.with_probes(nb, ["1:b + 1"])
    assert nb.cells[1].source == "a = 1"
    assert nb.cells[2].source == "b = 2\nprint('probe', 'b + 1', '=', b + 1)\n"
    for bad in ("2:b", "x:b", "1"):
        with pytest.raises(SystemExit):
            seed_sweep.with_probes(nb, [bad])


def test_with_seed_drops_the_stored_outputs():
    """A cell after a failing one must not show the stored (full-mode) run's output in --out."""
    cell = nbformat.v4.new_code_cell(PROBE)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="stored run\n")]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    assert seed_sweep.with_seed(nb, 7).cells[0].outputs == []
    assert nb.cells[0].outputs  # the original is untouched
