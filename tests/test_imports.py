"""The core package never pulls in a deep-learning framework, and each
framework module pulls in only its own framework.

Each check runs in a fresh interpreter, because this test process may already
have imported TensorFlow or PyTorch.
"""

import os
import subprocess
import sys

import pytest

CORE = ["vaebook", "vaebook.runmode", "vaebook.seeding", "vaebook.paths", "vaebook.maths", "vaebook.linear_gaussian",
        "vaebook.mnist", "vaebook.nonlinear_ppca", "vaebook.rotation_curves", "vaebook.plotting",
        "vaebook.sparc", "vaebook.sparc_sim"]


def modules_after_import(*names: str) -> set[str]:
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in names)
        + "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_core_imports_no_framework():
    loaded = modules_after_import(*CORE)
    assert {"numpy", "scipy", "matplotlib"} & loaded
    assert not {"tensorflow", "keras", "torch", "jax"} & loaded


def test_torch_module_does_not_import_tensorflow():
    loaded = modules_after_import(*CORE, "vaebook.torch_utils")
    assert "torch" in loaded
    assert not {"tensorflow", "keras"} & loaded


def test_tf_module_does_not_import_torch():
    loaded = modules_after_import(*CORE, "vaebook.tf_utils")
    assert {"tensorflow", "keras"} <= loaded
    assert "torch" not in loaded


@pytest.mark.parametrize("module", ["vaebook.tf_utils", "vaebook.torch_utils"])
def test_framework_modules_seed_and_describe(module):
    mod = __import__(module, fromlist=["framework_info"])
    info = mod.framework_info()
    assert ("keras" in info) if "tf" in module else ("torch" in info)
