"""Run modes: budget() picks by mode, bad values are rejected loudly."""

import pytest

from vaebook import runmode


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_quick_values_select_quick(monkeypatch, value):
    monkeypatch.setenv("VAEBOOK_QUICK", value)
    assert runmode.is_quick()
    assert runmode.run_mode() == "quick"
    assert runmode.budget(full=40, quick=2) == 2


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off"])
def test_full_values_select_full(monkeypatch, value):
    monkeypatch.setenv("VAEBOOK_QUICK", value)
    assert not runmode.is_quick()
    assert runmode.budget(full=40, quick=2) == 40


def test_unset_means_full(monkeypatch):
    monkeypatch.delenv("VAEBOOK_QUICK", raising=False)
    assert runmode.run_mode() == "full"
    assert runmode.budget(full=(28, 28), quick=(7, 7)) == (28, 28)


def test_typo_is_an_error_not_full_mode(monkeypatch):
    monkeypatch.setenv("VAEBOOK_QUICK", "ture")
    with pytest.raises(ValueError, match="VAEBOOK_QUICK='ture' is not understood"):
        runmode.is_quick()


def test_budget_refuses_values_of_different_types(monkeypatch):
    monkeypatch.setenv("VAEBOOK_QUICK", "1")
    with pytest.raises(TypeError, match="same type"):
        runmode.budget(full=40, quick=2.0)


def test_budget_is_keyword_only():
    with pytest.raises(TypeError):
        runmode.budget(40, 2)  # type: ignore[misc]
