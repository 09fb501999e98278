"""Tests for the chapter "A convolutional VAE on MNIST" (chapters/mnist_vae.ipynb).

The model code lives in the notebook, not in the package, so these tests run
the notebook's own code: the cells tagged ``model-code`` (and ``data-code``
for the binarization) are executed in order by ``vaebook.tf_utils.run_tagged_cells``
(the same runner the benchmark uses), and the functions
they define are tested. A wrong definition in the notebook therefore fails
here; there is no second copy of the model to drift apart from it. That
includes ``BatchStream``, which serves the training batches: the chapter
budgets training in optimizer steps, not passes over the data, so that it
costs about the same whichever MNIST the loader finds, and the tests check
that a fit takes the same number of steps whatever the data size.

The data cells (tagged ``data-code``: the check of the split's sizes, the
binarization and the sizes of the parts used) run twice here: on the MNIST
that ``load_mnist()`` finds, exactly as the chapter reads it (skipped, with the
reason saying what to provide, when there is none: see
``vaebook.mnist.mnist_unavailable_reason``), and on a synthetic full-size IDX
directory (60,000 + 10,000 images, made by seeded code, with its checksums
registered for the test only), so the official 60,000 / 10,000 path runs in CI
too, where only the 10,000-image test split is available; with either source
the chapter evaluates the same number of held-out images, spread evenly over
the held-out part. The collection hook
in the root ``conftest.py`` that skips the chapter itself is tested here too.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest

from vaebook import DEFAULT_SEED, budget, mnist

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "chapters" / "mnist_vae.ipynb"


def run_cells(tag: str, **names) -> dict:
    """Run the chapter's cells tagged ``tag`` in-process (``budget`` as the chapter imports it)."""
    pytest.importorskip("keras")
    from vaebook.tf_utils import run_tagged_cells

    return run_tagged_cells(NOTEBOOK, [tag], **{"budget": budget, **names})


@pytest.fixture(scope="module")
def chapter():
    """The namespace the notebook's model-code cells create, as the first cell sets it up."""
    return run_cells("model-code")


def direct_bernoulli(x, logits):
    """x log sigmoid(l) + (1 - x) log(1 - sigmoid(l)) in float64, summed over pixels (exact for |l| <= 700)."""
    x, logits = np.asarray(x, float), np.asarray(logits, float)
    terms = -x * np.log1p(np.exp(-logits)) - (1 - x) * np.log1p(np.exp(logits))
    return terms.reshape(len(terms), -1).sum(axis=1)


def test_bernoulli_log_likelihood_matches_direct_formula(chapter):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, size=(4, 28, 28, 1)).astype("float32")
    logits = rng.normal(0.0, 5.0, size=x.shape).astype("float32")
    ours = chapter["ops"].convert_to_numpy(chapter["bernoulli_log_likelihood"](x, logits))
    assert ours.shape == (4,)
    np.testing.assert_allclose(ours, direct_bernoulli(x, logits), rtol=1e-5)


@pytest.mark.parametrize("logit", [100.0, -100.0])
@pytest.mark.parametrize("pixel", [0.0, 1.0])
def test_bernoulli_log_likelihood_is_finite_and_right_at_extreme_logits(chapter, logit, pixel):
    x = np.full((2, 28, 28, 1), pixel, "float32")
    logits = np.full(x.shape, logit, "float32")
    logits[1, :14] = 0.0  # mix extreme and ordinary logits in one image
    ours = chapter["ops"].convert_to_numpy(chapter["bernoulli_log_likelihood"](x, logits)).astype(float)
    expected = direct_bernoulli(x, logits)
    assert np.all(np.isfinite(ours))
    # the right answer is ~0 (confident and right) or -100 per pixel (confident and wrong)
    np.testing.assert_allclose(ours, expected, rtol=1e-6, atol=1e-3)


def test_kl_matches_reference_maths(chapter):
    from vaebook.maths import kl_diag_gaussian_std_normal

    rng = np.random.default_rng(1)
    z_mean, z_log_var = rng.normal(size=(5, 16)), rng.normal(size=(5, 16))
    ours = chapter["ops"].convert_to_numpy(chapter["kl_std_normal"](z_mean.astype("float32"), z_log_var.astype("float32")))
    np.testing.assert_allclose(ours, kl_diag_gaussian_std_normal(z_mean, z_log_var), rtol=1e-5)


def test_save_and_reload_give_the_same_heldout_elbo(chapter, tmp_path):
    keras = chapter["keras"]
    rng = np.random.default_rng(2)
    x = (rng.random((320, 28, 28, 1)) < 0.2).astype("float32")  # a few hundred binary images
    x_fit, x_heldout = x[:256], x[256:]
    vae = chapter["build_vae"](latent_dim=2)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    vae.fit(x_fit, epochs=1, batch_size=128, validation_data=(x_heldout,), verbose=0)
    path = tmp_path / "tiny.keras"
    vae.save(path)
    reloaded = keras.models.load_model(path)
    assert isinstance(reloaded, chapter["VAE"]) and reloaded.latent_dim == 2
    eps = np.random.default_rng(DEFAULT_SEED).standard_normal((3, len(x_heldout), 2))  # fixed draws
    elbo = chapter["log_weights"](vae, x_heldout, eps).mean(axis=0)  # (64,)
    elbo_reloaded = chapter["log_weights"](reloaded, x_heldout, eps).mean(axis=0)
    assert np.all(np.isfinite(elbo))
    np.testing.assert_allclose(elbo_reloaded, elbo, rtol=1e-6, atol=0)


def test_batch_stream_serves_every_image_once_per_pass_in_a_seeded_order(chapter):
    x = np.arange(300, dtype="float32").reshape(300, 1, 1, 1)  # image i holds the value i
    served = []
    for seed in (5, 5, 6):
        stream = chapter["BatchStream"](x, batch_size=16, steps_per_period=7, seed=seed)
        values = []
        for _ in range(9):  # 9 periods x 7 batches x 16 images = 1,008 = 3 passes + 108
            assert len(stream) == 7
            batches = [stream[i][0] for i in range(len(stream))]
            assert all(b.shape == (16, 1, 1, 1) for b in batches)
            values.extend(np.concatenate(batches).ravel().astype(int))
            stream.on_epoch_end()
        served.append(np.array(values))
    for values in served:
        for start in (0, 300, 600):  # each pass is a permutation of all 300 images
            np.testing.assert_array_equal(np.sort(values[start : start + 300]), np.arange(300))
        assert not np.array_equal(values[:300], values[300:600])  # a new order each pass
    np.testing.assert_array_equal(served[0], served[1])  # the same seed, the same stream
    assert not np.array_equal(served[0], served[2])


def test_dynamic_binarization_draws_new_binary_images_with_the_grey_probabilities(chapter):
    # 64 grey images, each pixel the same grey level g = 51 * (image index % 6) (0 ... 255)
    grey = np.broadcast_to((51 * (np.arange(64) % 6)).astype(np.uint8)[:, None, None], (64, 28, 28))
    stream = chapter["DynamicBinarization"](np.ascontiguousarray(grey), batch_size=32, steps_per_period=50, seed=9)
    first_pass, second_pass = [], []
    for i in range(50):  # 50 batches of 32 = 25 passes over the 64 images
        (batch,) = stream[i]
        assert batch.shape == (32, 28, 28, 1) and batch.dtype == np.float32
        assert set(np.unique(batch)) <= {0.0, 1.0}
        levels = stream.x[stream.period[i]][:, 0, 0] / 255.0  # (32,) each image's grey level
        (first_pass if i < 2 else second_pass).append((batch.mean(axis=(1, 2, 3)), levels))
    shares, levels = (np.concatenate(a) for a in zip(*(first_pass + second_pass)))
    for level in np.unique(levels):  # the share of pixels on is the grey level / 255
        share = shares[levels == level].mean()
        n = 784 * np.sum(levels == level)
        assert abs(share - level) <= 5 * np.sqrt(level * (1 - level) / n) + 1e-12
    # seeded: two streams with the same seed serve the same binary batches
    twins = [chapter["DynamicBinarization"](np.ascontiguousarray(grey), 32, 50, seed=4) for _ in range(2)]
    np.testing.assert_array_equal(twins[0][0][0], twins[1][0][0])
    # and the same grey image is a new binary draw each time it is served
    one = np.ascontiguousarray(grey)[[3]]  # grey level 153: a draw that is not all 0 or all 1
    draws = chapter["DynamicBinarization"](np.repeat(one, 8, axis=0), batch_size=8, steps_per_period=2, seed=1)
    a, b = draws[0][0], draws[1][0]
    assert not np.array_equal(a[0], b[0]) and not np.array_equal(a[0], a[1])


@pytest.mark.parametrize("bad", [{"batch_size": 0}, {"steps_per_period": 0}])
def test_batch_stream_refuses_empty_periods(chapter, bad):
    arguments = {"batch_size": 4, "steps_per_period": 3, "seed": 0, **bad}
    with pytest.raises(ValueError, match="must be at least 1"):
        chapter["BatchStream"](np.zeros((10, 28, 28, 1), "float32"), **arguments)


@pytest.mark.parametrize("num_images", [40, 1000])
def test_fit_on_a_batch_stream_takes_the_same_steps_whatever_the_data_size(chapter, num_images):
    # The chapter's training budget: epochs x steps_per_period optimizer steps,
    # the same for 40 images as for 1,000 (a pass over the data is not a unit).
    keras = chapter["keras"]
    x = (np.random.default_rng(3).random((num_images, 28, 28, 1)) < 0.2).astype("float32")
    vae = chapter["build_vae"](latent_dim=2)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    stream = chapter["BatchStream"](x, batch_size=16, steps_per_period=3, seed=0)
    history = vae.fit(stream, epochs=2, shuffle=False, validation_data=(x[:16],), verbose=0)
    assert int(chapter["ops"].convert_to_numpy(vae.optimizer.iterations)) == 2 * 3
    assert len(history.history["val_loss"]) == 2  # one validation check per period


# --------------------------------------------------------------------------
# the data cells on the MNIST in force (CI: the official 60,000 / 10,000 split)
# --------------------------------------------------------------------------

SIZES = {"official": (60_000, 10_000), "test split": (8_000, 2_000)}


@pytest.fixture(scope="module")
def real_split():
    reason = mnist.mnist_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)
    return mnist.load_mnist()


def test_data_cells_on_the_mnist_in_force_are_deterministic(real_split):
    split = real_split
    n_train, n_heldout = SIZES[split.partition]
    assert (split.n_train, split.n_heldout) == (n_train, n_heldout)
    assert ("t10k" in split.description) == (split.partition == "test split")
    first = run_cells("data-code", split=split)
    second = run_cells("data-code", split=split)
    for name, count in (("x_train_all", n_train), ("x_heldout_all", n_heldout)):
        assert first[name].shape == (count, 28, 28, 1) and first[name].dtype == np.float32
        assert set(np.unique(first[name])) <= {0.0, 1.0}
        assert np.array_equal(first[name], second[name])  # same seed, same binary images
    # in expectation the share of pixels on is the mean grey value / 255
    assert abs(first["x_train_all"].mean() - split.x_train.mean() / 255) < 5e-3
    assert not np.array_equal(first["x_train_all"][:2000], first["x_heldout_all"][:2000])
    assert len(first["x_fit"]) + len(first["x_val"]) <= n_train
    assert len(first["x_heldout"]) == budget(full=n_heldout, quick=500)  # evenly spread


# --------------------------------------------------------------------------
# the data cells on a synthetic full-size MNIST (the 60,000 / 10,000 path)
# --------------------------------------------------------------------------


def synthetic_digits(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` 28 x 28 uint8 images, each a filled rectangle of random place, size and grey level."""
    pixels = np.arange(28)
    top, left = rng.integers(2, 14, n), rng.integers(2, 14, n)
    height, width = rng.integers(4, 13, n), rng.integers(2, 13, n)
    in_rows = (pixels >= top[:, None]) & (pixels < (top + height)[:, None])  # (n, 28)
    in_cols = (pixels >= left[:, None]) & (pixels < (left + width)[:, None])  # (n, 28)
    grey = rng.integers(64, 256, n).astype(np.uint8)
    grey[0] = 255  # the full range of grey values occurs
    images = (in_rows[:, :, None] & in_cols[:, None, :]).astype(np.uint8) * grey[:, None, None]
    return images, rng.integers(0, 10, n).astype(np.uint8)


def gzip_idx(array: np.ndarray) -> bytes:
    """The gzipped IDX encoding (unsigned bytes) of a uint8 array."""
    header = (0x00000800 | array.ndim).to_bytes(4, "big")
    header += b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.tobytes(), compresslevel=1, mtime=0)


@pytest.fixture(scope="module")
def synthetic_full_mnist(tmp_path_factory):
    """A directory with the four official file names holding 60,000 + 10,000 synthetic images.

    Returns the directory and the MD5 of each file, for the checksum registry.
    """
    directory = tmp_path_factory.mktemp("synthetic-mnist")
    rng = np.random.default_rng(20_260_101)  # seeded: the same files in every run
    md5 = {}
    for (images_name, labels_name), n in ((mnist.TRAIN_FILES, 60_000), (mnist.TEST_FILES, 10_000)):
        images, labels = synthetic_digits(n, rng)
        for name, array in ((images_name, images), (labels_name, labels)):
            data = gzip_idx(array)
            (directory / name).write_bytes(data)
            md5[name] = hashlib.md5(data).hexdigest()
    return directory, md5


@pytest.mark.parametrize("quick", ["0", "1"], ids=["full-sizes", "quick-sizes"])
def test_data_cells_run_on_a_full_size_mnist(synthetic_full_mnist, monkeypatch, quick):
    directory, md5 = synthetic_full_mnist
    monkeypatch.setenv(mnist.MNIST_DIR_ENV_VAR, str(directory))
    monkeypatch.setenv("VAEBOOK_QUICK", quick)
    assert mnist.mnist_source() == "directory"
    # Files that are not the official ones are refused until their checksums are registered.
    with pytest.raises(mnist.MnistError, match="fails its checksum"):
        mnist.load_mnist()
    for name, digest in md5.items():
        monkeypatch.setitem(mnist.IDX_MD5, name, digest)
    split = mnist.load_mnist()  # as the chapter's first cell calls it
    assert (split.source, split.partition) == ("directory", "official")
    assert (split.n_train, split.n_heldout) == (60_000, 10_000)
    assert "official split, 60,000 training and 10,000 held-out" in split.description
    assert str(directory) not in split.description and "/" not in split.description

    ns = run_cells("data-code", split=split)  # asserts the sizes for the partition in force

    assert ns["x_train_all"].shape == (60_000, 28, 28, 1)
    assert ns["x_heldout_all"].shape == (10_000, 28, 28, 1)
    assert set(np.unique(ns["x_heldout_all"])) == {0.0, 1.0}
    num_fit, num_val, num_heldout = len(ns["x_fit"]), len(ns["x_val"]), len(ns["x_heldout"])
    if quick == "0":  # full mode fits 50,000, validates 10,000 and evaluates all 10,000
        assert (num_fit, num_val, num_heldout) == (50_000, 10_000, 10_000)
    else:
        assert (num_fit, num_val, num_heldout) == (3_000, 500, 500)
    np.testing.assert_array_equal(ns["grey_fit"], split.x_train[:num_fit])  # grey, for training
    assert num_fit + num_val <= 60_000  # no image both fitted and validated on
    np.testing.assert_array_equal(ns["x_val"], ns["x_train_all"][-num_val:])
    # the evaluated held-out images: all 10,000, or in quick mode evenly spread over them
    # (both writer populations of the test set)
    index = ns["heldout_index"]
    step = 10_000 // num_heldout
    np.testing.assert_array_equal(index, np.arange(0, 10_000, step))
    np.testing.assert_array_equal(ns["y_heldout"], split.y_heldout[index])
    np.testing.assert_array_equal(ns["x_heldout"], ns["x_heldout_all"][index])


# --------------------------------------------------------------------------
# no MNIST at all: the chapter is skipped, saying what to provide
# --------------------------------------------------------------------------


class FakeItem:
    """What the collection hook uses of an nbval cell item."""

    def __init__(self, path: Path):
        self.path, self.markers = path, []

    def add_marker(self, marker):
        self.markers.append(marker)


def chapters_conftest():
    spec = importlib.util.spec_from_file_location(
        "chapters_conftest_under_test", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_chapter_is_skipped_with_the_reason_when_there_is_no_mnist(tmp_path, monkeypatch):
    # Situation (c): no VAEBOOK_MNIST_DIR, no cached mnist.npz, the network check fails.
    monkeypatch.delenv(mnist.MNIST_DIR_ENV_VAR, raising=False)
    monkeypatch.setenv("VAEBOOK_DATA_DIR", str(tmp_path / "empty-data-dir"))
    probes = []
    monkeypatch.setattr(mnist, "download_host_answers", lambda *a, **k: probes.append(a) or False)
    hook = chapters_conftest().pytest_collection_modifyitems
    cells = [FakeItem(NOTEBOOK) for _ in range(3)]
    other = FakeItem(ROOT / "chapters" / "elbo.ipynb")

    hook(None, [*cells, other])

    assert len(probes) == 1  # one network check for the whole notebook
    for item in cells:
        (marker,) = item.markers
        assert marker.name == "skip"
        reason = marker.kwargs["reason"]
        assert reason.startswith("MNIST is not available: VAEBOOK_MNIST_DIR is not set")
        assert "storage.googleapis.com did not answer" in reason
        assert "set VAEBOOK_MNIST_DIR to a directory with the MNIST IDX files" in reason
        assert "e.g. VAEBOOK_MNIST_DIR=../shared/data/mnist" in reason
        assert "or connect to the internet" in reason
    assert other.markers == []  # other chapters are not touched


def test_chapter_runs_whenever_a_source_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv(mnist.MNIST_DIR_ENV_VAR, str(tmp_path))
    monkeypatch.setattr(mnist, "download_host_answers", lambda *a, **k: pytest.fail("probed"))
    cells = [FakeItem(NOTEBOOK)]
    chapters_conftest().pytest_collection_modifyitems(None, cells)
    assert cells[0].markers == []


# --------------------------------------------------------------------------
# the stored notebook
# --------------------------------------------------------------------------


def code_cells() -> list[dict]:
    return [c for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]


def test_nbval_markers_are_cell_tags_not_comments():
    sources = ["".join(c["source"]) for c in code_cells()]
    assert not [s for s in sources if "NBVAL_" in s], "use the nbval-* cell tags instead"
    checked = [c for c in code_cells() if "nbval-check-output" in c["metadata"].get("tags", [])]
    assert checked, "no cell has its output compared"
    for cell in checked:  # compared in every situation: nothing that depends on the source
        text = "".join("".join(o.get("text", "")) for o in cell["outputs"])
        assert not re.search(r"\d{1,2},\d{3}", text), f"a data size in a compared output: {text!r}"


def test_stored_outputs_hold_no_machine_paths():
    outputs = [o for c in code_cells() for o in c.get("outputs", [])]
    texts = ["".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
             for o in outputs]
    absolute = re.compile(r"(?:^|[\s'\"(=:,])(?:/[\w.~-]+){2,}", re.M)  # /a/b, not "a / b"
    for text in texts:
        assert not absolute.search(text), f"absolute path in a stored output: {text[:300]!r}"


@pytest.mark.parametrize("num_steps, period", [(300, 500), (750, 500), (0, 50)])
def test_train_refuses_a_budget_that_is_not_whole_periods(chapter, num_steps, period):
    # 300 // 500 = 0 Keras epochs once trained the beta sweep for no step at all, silently
    vae = chapter["build_vae"](latent_dim=2)
    with pytest.raises(ValueError, match="whole number of periods"):
        chapter["train"](vae, num_steps=num_steps, period=period)
