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


@pytest.mark.parametrize("quick_mode", ["1", "0"])
def test_budget_treats_numpy_and_python_numbers_as_the_same_kind(monkeypatch, quick_mode):
    np = pytest.importorskip("numpy")
    monkeypatch.setenv("VAEBOOK_QUICK", quick_mode)
    result = runmode.budget(full=np.int64(3), quick=3)
    assert result == 3 and type(result) is int  # the same Python type in both modes
    result = runmode.budget(full=0.5, quick=np.float32(0.25))
    assert result in (0.5, 0.25) and type(result) is float


@pytest.mark.parametrize("full, quick", [(40, "2"), (True, 1), (40, 2.0), ([1], (1,))])
def test_budget_type_error_says_what_to_write(monkeypatch, full, quick):
    monkeypatch.setenv("VAEBOOK_QUICK", "1")
    with pytest.raises(TypeError, match=r"same type.*write both"):
        runmode.budget(full=full, quick=quick)
