"""Plotting helpers: the grid tiles images in order and rejects wrong shapes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from vaebook import plotting  # noqa: E402


def test_image_grid_places_images_row_major():
    images = np.stack([np.full((2, 3), i, dtype=float) for i in range(6)])
    ax = plotting.image_grid(images, 2, 3, pad=1)
    canvas = ax.get_images()[0].get_array()
    assert canvas.shape == (2 * 2 + 1, 3 * 3 + 2)
    assert canvas[0, 0] == 0 and canvas[0, 4] == 1 and canvas[3, 8] == 5
    assert np.ma.is_masked(canvas[2, 0]) or np.isnan(canvas[2, 0])  # padding row
    plt.close("all")


def test_image_grid_accepts_channel_axis():
    ax = plotting.image_grid(np.zeros((4, 5, 5, 1)), 2, 2)
    assert ax.get_images()[0].get_array().shape == (11, 11)
    plt.close("all")


@pytest.mark.parametrize("shape, match", [((5, 4, 4), "expected 4"), ((4, 4), "expected \\(n, height, width\\)")])
def test_image_grid_rejects_bad_input(shape, match):
    with pytest.raises(ValueError, match=match):
        plotting.image_grid(np.zeros(shape), 2, 2)


def test_book_style_sets_rcparams():
    plotting.use_book_style()
    assert matplotlib.rcParams["axes.grid"] is True
    assert matplotlib.rcParams["figure.dpi"] == 100
