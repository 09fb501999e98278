"""Seeding gives repeatable numbers; paths point where the docs say."""

import random

import numpy as np
import pytest

import vaebook
from vaebook import paths, seeding


def test_seed_everything_repeats_numpy_and_python():
    rng_a = seeding.seed_everything(123)
    draws_a = (rng_a.normal(size=5), np.random.rand(3), random.random())
    rng_b = seeding.seed_everything(123)
    draws_b = (rng_b.normal(size=5), np.random.rand(3), random.random())
    np.testing.assert_array_equal(draws_a[0], draws_b[0])
    np.testing.assert_array_equal(draws_a[1], draws_b[1])
    assert draws_a[2] == draws_b[2]
    assert not np.array_equal(seeding.seed_everything(124).normal(size=5), draws_a[0])


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (2**32, ValueError), (1.5, TypeError), ("7", TypeError), (True, TypeError)])
def test_bad_seeds_are_rejected(bad, error):
    with pytest.raises(error, match="seed"):
        seeding.seed_everything(bad)


def test_repo_root_and_data_dir(monkeypatch, tmp_path):
    root = paths.repo_root()
    assert root is not None and (root / "_toc.yml").is_file()
    monkeypatch.delenv(paths.DATA_DIR_ENV_VAR, raising=False)
    assert paths.data_dir() == root / "data"
    monkeypatch.setenv(paths.DATA_DIR_ENV_VAR, str(tmp_path / "elsewhere"))
    assert paths.data_dir() == tmp_path / "elsewhere"
    assert not (tmp_path / "elsewhere").exists()
    assert paths.data_dir(create=True).is_dir()


def test_print_run_info_shows_mode_seed_and_extras(monkeypatch, capsys):
    monkeypatch.setenv("VAEBOOK_QUICK", "1")
    vaebook.print_run_info(7, data="offline split")
    out = capsys.readouterr().out
    assert "run mode : quick" in out
    assert "seed     : 7" in out
    assert "data     : offline split" in out
    monkeypatch.delenv("VAEBOOK_QUICK")
    vaebook.print_run_info()
    assert "run mode : full" in capsys.readouterr().out
