"""The book's Matplotlib style and small figure helpers.

Figures answer one question each, with labelled axes; these helpers keep their
look the same across chapters. Used by every chapter.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

BOOK_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (6.4, 4.0),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "legend.frameon": False,
}


def use_book_style() -> None:
    """Apply the book's Matplotlib settings (call once per chapter)."""
    mpl.rcParams.update(BOOK_STYLE)


def image_grid(images, nrows: int, ncols: int, *, ax=None, cmap: str = "gray_r", pad: int = 1):
    """Tile ``nrows * ncols`` images of shape (h, w) into one picture on ``ax``.

    Returns the axes. Used for reconstructions, samples and latent-space grids.
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images has shape {images.shape}; expected (n, height, width) or (n, height, width, 1).")
    if images.shape[0] != nrows * ncols:
        raise ValueError(f"got {images.shape[0]} images for a {nrows} x {ncols} grid; expected {nrows * ncols}.")
    height, width = images.shape[1:]
    canvas = np.full((nrows * (height + pad) - pad, ncols * (width + pad) - pad), np.nan)
    for index, image in enumerate(images):
        row, col = divmod(index, ncols)
        canvas[row * (height + pad) : row * (height + pad) + height, col * (width + pad) : col * (width + pad) + width] = image
    if ax is None:
        _, ax = plt.subplots(figsize=(ncols * 0.6, nrows * 0.6))
    ax.imshow(canvas, cmap=cmap, interpolation="nearest")
    ax.set_axis_off()
    return ax
