"""Maintainer tools: full-mode execution, quick-mode seed sweeps, screenshots and PDF."""
