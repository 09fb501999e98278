"""Checks the tests run on the chapters (quick-mode asserts that must not be vacuous)."""
