"""Tests for vaebook.mnist: the three sources, the checks, and the error messages.

No test touches the network. Directory tests build small fake IDX files in
tmp_path and register their MD5s in ``mnist.IDX_MD5`` (the only way to bypass
the official checksums); download tests serve a fake ``mnist.npz`` from a
local HTTP server, and the download-host probe of ``mnist_source`` is either
pointed at a local socket or patched. The real offline copy of the MNIST test
split is read in place from ``$VAEBOOK_MNIST_DIR`` (``make test`` sets it to
``../shared/data/mnist`` when that exists), never copied; without it those
tests are skipped, saying so.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from vaebook import mnist
from vaebook.mnist import MnistError, load_mnist, read_idx

ALL_FILES = mnist.TRAIN_FILES + mnist.TEST_FILES
REAL_TEST_COUNTS = {  # digits 0..9 in the official 10k test split (labels file)
    0: 980, 1: 1135, 2: 1032, 3: 1010, 4: 982, 5: 892, 6: 958, 7: 1028, 8: 974, 9: 1009,
}  # fmt: skip


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def idx_bytes(array: np.ndarray, magic: int | None = None, payload_cut: int = 0) -> bytes:
    """Gzipped IDX encoding of a uint8 array; optionally a wrong magic or a short payload."""
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x00000800 | array.ndim
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    payload = array.tobytes()
    if payload_cut:
        payload = payload[:-payload_cut]
    return gzip.compress(header + payload, mtime=0)


def register(monkeypatch, path: Path) -> None:
    """Make the checksum table accept the file now at ``path`` (test-only bypass)."""
    monkeypatch.setitem(mnist.IDX_MD5, path.name, hashlib.md5(path.read_bytes()).hexdigest())


def write_idx(monkeypatch, path: Path, array: np.ndarray, **kw) -> Path:
    path.write_bytes(idx_bytes(array, **kw))
    register(monkeypatch, path)
    return path


def fake_arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


def make_idx_dir(monkeypatch, directory: Path, *, n_train=0, n_test=10, register_md5=True):
    """Write fake t10k files (and train files when n_train > 0) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    parts = [(mnist.TEST_FILES, n_test, 1)]
    if n_train:
        parts.append((mnist.TRAIN_FILES, n_train, 2))
    for (img_name, lab_name), n, seed in parts:
        images, labels = fake_arrays(n, seed)
        (directory / img_name).write_bytes(idx_bytes(images))
        (directory / lab_name).write_bytes(idx_bytes(labels))
        if register_md5:
            register(monkeypatch, directory / img_name)
            register(monkeypatch, directory / lab_name)
        out[img_name] = images
        out[lab_name] = labels
    return out


def write_npz(path: Path, n_train=20, n_test=10, **override) -> Path:
    x_train, y_train = fake_arrays(n_train, 3)
    x_test, y_test = fake_arrays(n_test, 4)
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    arrays.update(override)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def no_mnist_env(monkeypatch, tmp_path):
    """Isolate every test from the caller's MNIST settings and data directory."""
    monkeypatch.delenv(mnist.MNIST_DIR_ENV_VAR, raising=False)
    monkeypatch.setenv("VAEBOOK_DATA_DIR", str(tmp_path / "data-dir"))


def real_mnist_dir() -> Path | None:
    """The directory ``$VAEBOOK_MNIST_DIR`` when it holds the official t10k files, else None.

    The same variable load_mnist reads: no other place is searched, so these
    tests run exactly where the chapter reads the real files.
    """
    env = os.environ.get(mnist.MNIST_DIR_ENV_VAR)
    if env and all((Path(env) / name).is_file() for name in mnist.TEST_FILES):
        return Path(env)
    return None


REAL_DIR = real_mnist_dir()  # read before the autouse fixture clears the variable
needs_real_t10k = pytest.mark.skipif(
    REAL_DIR is None,
    reason=(
        f"needs the official MNIST test split: set {mnist.MNIST_DIR_ENV_VAR} to a directory "
        f"with {' and '.join(mnist.TEST_FILES)}, e.g. "
        f"{mnist.MNIST_DIR_ENV_VAR}=../shared/data/mnist (make test does when it exists)"
    ),
)


def assert_no_absolute_path(text: str, *paths: Path) -> None:
    """Descriptions go into the book's stored outputs: no machine path may appear."""
    for path in paths:
        assert str(path) not in text, f"absolute path {path} in {text!r}"
    assert not any(word.startswith("/") for word in text.split()), text


# --------------------------------------------------------------------------
# the real offline copy of the test split
# --------------------------------------------------------------------------


@needs_real_t10k
def test_real_test_split_is_partitioned_every_fifth(tmp_path):
    # Link (not copy) the two t10k files so the test-split rule applies even
    # if the real directory also holds the training files.
    linked = tmp_path / "t10k-only"
    linked.mkdir()
    for name in mnist.TEST_FILES:
        (linked / name).symlink_to(REAL_DIR / name)

    split = load_mnist(mnist_dir=linked, download=False)

    assert (split.source, split.partition) == ("directory", "test split")
    assert split.x_train.shape == (8000, 28, 28) and split.x_heldout.shape == (2000, 28, 28)
    assert split.y_train.shape == (8000,) and split.y_heldout.shape == (2000,)
    for arr in (split.x_train, split.y_train, split.x_heldout, split.y_heldout):
        assert arr.dtype == np.uint8
    assert "i % 5 == 0" in split.description and "test split" in split.description
    assert "8,000" in split.description and "2,000" in split.description
    assert "t10k-only" in split.description
    assert_no_absolute_path(split.description, linked)

    # Parse the raw files independently of read_idx: 16-byte image header, 8-byte label header.
    images_raw = gzip.decompress((REAL_DIR / mnist.TEST_FILES[0]).read_bytes())
    labels_raw = gzip.decompress((REAL_DIR / mnist.TEST_FILES[1]).read_bytes())
    raw_x = np.frombuffer(images_raw[16:], np.uint8).reshape(10000, 28, 28)
    raw_y = np.frombuffer(labels_raw[8:], np.uint8)
    held = np.arange(10000) % 5 == 0
    np.testing.assert_array_equal(split.x_heldout, raw_x[held])
    np.testing.assert_array_equal(split.y_heldout, raw_y[held])
    np.testing.assert_array_equal(split.x_train, raw_x[~held])
    np.testing.assert_array_equal(split.y_train, raw_y[~held])

    # Plausible label histograms: every digit in both parts, roughly 1/5 held out.
    train_counts = np.bincount(split.y_train, minlength=10)
    held_counts = np.bincount(split.y_heldout, minlength=10)
    assert len(train_counts) == 10 and len(held_counts) == 10
    assert dict(enumerate((train_counts + held_counts).tolist())) == REAL_TEST_COUNTS
    assert np.all(held_counts >= 150) and np.all(held_counts <= 260)
    assert np.all(train_counts >= 650) and np.all(train_counts <= 950)
    assert split.x_heldout.max() == 255 and split.x_heldout.min() == 0


@needs_real_t10k
def test_real_files_pass_the_official_checksums():
    for name in mnist.TEST_FILES:
        assert mnist._md5(REAL_DIR / name) == mnist.IDX_MD5[name]


# --------------------------------------------------------------------------
# directory source with fake IDX files
# --------------------------------------------------------------------------


def test_read_idx_round_trip(tmp_path, monkeypatch):
    images, labels = fake_arrays(7, 0)
    path_x = write_idx(monkeypatch, tmp_path / "x.gz", images)
    path_y = write_idx(monkeypatch, tmp_path / "y.gz", labels)
    got_x, got_y = read_idx(path_x), read_idx(path_y)
    assert got_x.dtype == np.uint8 and got_x.shape == (7, 28, 28)
    np.testing.assert_array_equal(got_x, images)
    np.testing.assert_array_equal(got_y, labels)


def test_full_directory_uses_official_split(tmp_path, monkeypatch):
    arrays = make_idx_dir(monkeypatch, tmp_path / "full", n_train=30, n_test=12)
    split = load_mnist(mnist_dir=tmp_path / "full", download=False)
    assert split.source == "directory"
    np.testing.assert_array_equal(split.x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(split.y_train, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(split.x_heldout, arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(split.y_heldout, arrays["t10k-labels-idx1-ubyte.gz"])
    assert "official split" in split.description and "%" not in split.description
    assert "30 training" in split.description and "12 held-out" in split.description
    assert split.partition == "official"
    assert "directory full:" in split.description  # outside the repository: its name only
    assert_no_absolute_path(split.description, tmp_path / "full")


def test_test_only_directory_holds_out_every_fifth(tmp_path, monkeypatch):
    arrays = make_idx_dir(monkeypatch, tmp_path / "t10k", n_test=12)
    split = load_mnist(mnist_dir=tmp_path / "t10k", download=False)
    images = arrays["t10k-images-idx3-ubyte.gz"]
    np.testing.assert_array_equal(split.x_heldout, images[[0, 5, 10]])
    np.testing.assert_array_equal(split.x_train, images[[1, 2, 3, 4, 6, 7, 8, 9, 11]])
    np.testing.assert_array_equal(split.y_heldout, [0, 5, 0])
    assert split.n_train == 9 and split.n_heldout == 3
    assert split.partition == "test split"


def test_env_var_is_used_when_no_argument(tmp_path, monkeypatch):
    make_idx_dir(monkeypatch, tmp_path / "from-env", n_test=10)
    # A valid cache is present too; the variable must still win.
    cache = write_npz(tmp_path / "cache" / "mnist" / "mnist.npz")
    monkeypatch.setattr(mnist, "MNIST_NPZ_SHA256", sha256(cache))
    monkeypatch.setenv(mnist.MNIST_DIR_ENV_VAR, str(tmp_path / "from-env"))
    split = load_mnist(cache_dir=tmp_path / "cache", download=False)
    assert split.source == "directory"
    assert "from-env" in split.description
    assert_no_absolute_path(split.description, tmp_path / "from-env")
    assert split.n_train == 8 and split.n_heldout == 2


def test_argument_overrides_env_var(tmp_path, monkeypatch):
    make_idx_dir(monkeypatch, tmp_path / "arg", n_test=10)
    monkeypatch.setenv(mnist.MNIST_DIR_ENV_VAR, str(tmp_path / "does-not-exist"))
    split = load_mnist(mnist_dir=tmp_path / "arg", download=False)
    assert "directory arg," in split.description


def test_fake_files_fail_the_official_checksums(tmp_path, monkeypatch):
    make_idx_dir(monkeypatch, tmp_path / "d", n_test=10, register_md5=False)
    with pytest.raises(MnistError, match="t10k-images-idx3-ubyte.gz") as info:
        load_mnist(mnist_dir=tmp_path / "d", download=False)
    assert "9fb629c4189551a2d022fa330f9573f3" in str(info.value)


def test_flipped_byte_fails_checksum_naming_the_file(tmp_path, monkeypatch):
    make_idx_dir(monkeypatch, tmp_path / "d", n_test=10)
    target = tmp_path / "d" / "t10k-labels-idx1-ubyte.gz"
    expected_md5 = mnist.IDX_MD5[target.name]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(MnistError) as info:
        load_mnist(mnist_dir=tmp_path / "d", download=False)
    msg = str(info.value)
    assert str(target) in msg
    assert expected_md5 in msg and hashlib.md5(bytes(data)).hexdigest() in msg
    assert f"{len(data):,} bytes" in msg
    assert "re-download" in msg


def test_truncated_gzip_stream(tmp_path, monkeypatch):
    make_idx_dir(monkeypatch, tmp_path / "d", n_test=10)
    target = tmp_path / "d" / "t10k-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:-40])
    register(monkeypatch, target)  # checksum matches the truncated bytes
    with pytest.raises(MnistError, match="gzip") as info:
        load_mnist(mnist_dir=tmp_path / "d", download=False)
    assert str(target) in str(info.value) and "re-download" in str(info.value).lower()


def test_truncated_payload_fails_idx_length_check(tmp_path, monkeypatch):
    make_idx_dir(monkeypatch, tmp_path / "d", n_test=10)
    images, _ = fake_arrays(10, 1)
    target = tmp_path / "d" / "t10k-images-idx3-ubyte.gz"
    write_idx(monkeypatch, target, images, payload_cut=100)
    with pytest.raises(MnistError, match="truncated") as info:
        load_mnist(mnist_dir=tmp_path / "d", download=False)
    msg = str(info.value)
    assert str(target) in msg and "(10, 28, 28)" in msg and "7740" in msg


def test_extra_payload_is_rejected(tmp_path):
    path = tmp_path / "x.gz"
    header = (0x801).to_bytes(4, "big") + (3).to_bytes(4, "big")
    path.write_bytes(gzip.compress(header + b"\x01\x02\x03\x04"))  # 4 labels, header says 3
    with pytest.raises(MnistError, match="longer than its header"):
        read_idx(path)


@pytest.mark.parametrize("magic", [0x00000802, 0x00000D03, 0x08030000])
def test_wrong_magic_number(tmp_path, monkeypatch, magic):
    make_idx_dir(monkeypatch, tmp_path / "d", n_test=10)
    _, labels = fake_arrays(10, 1)
    target = tmp_path / "d" / "t10k-labels-idx1-ubyte.gz"
    write_idx(monkeypatch, target, labels, magic=magic)
    with pytest.raises(MnistError, match="magic number") as info:
        load_mnist(mnist_dir=tmp_path / "d", download=False)
    assert str(target) in str(info.value) and f"0x{magic:08x}" in str(info.value)


def test_labels_out_of_range(tmp_path, monkeypatch):
    make_idx_dir(monkeypatch, tmp_path / "d", n_test=10)
    write_idx(monkeypatch, tmp_path / "d" / "t10k-labels-idx1-ubyte.gz", np.full(10, 12, np.uint8))
    with pytest.raises(MnistError, match=r"0\.\.9"):
        load_mnist(mnist_dir=tmp_path / "d", download=False)


def test_image_label_count_mismatch(tmp_path, monkeypatch):
    make_idx_dir(monkeypatch, tmp_path / "d", n_test=10)
    write_idx(monkeypatch, tmp_path / "d" / "t10k-labels-idx1-ubyte.gz", np.zeros(9, np.uint8))
    with pytest.raises(MnistError, match="10 images but 9 labels"):
        load_mnist(mnist_dir=tmp_path / "d", download=False)


def test_wrong_image_size(tmp_path, monkeypatch):
    make_idx_dir(monkeypatch, tmp_path / "d", n_test=10)
    wrong = np.zeros((10, 28, 27), np.uint8)
    write_idx(monkeypatch, tmp_path / "d" / "t10k-images-idx3-ubyte.gz", wrong)
    with pytest.raises(MnistError, match=r"\(n, 28, 28\)"):
        load_mnist(mnist_dir=tmp_path / "d", download=False)


def test_missing_directory_is_an_error_not_a_fallthrough(tmp_path, monkeypatch):
    cache = write_npz(tmp_path / "cache" / "mnist" / "mnist.npz")
    monkeypatch.setattr(mnist, "MNIST_NPZ_SHA256", sha256(cache))
    missing = tmp_path / "nowhere"
    monkeypatch.setenv(mnist.MNIST_DIR_ENV_VAR, str(missing))
    with pytest.raises(MnistError, match="does not exist") as info:
        load_mnist(cache_dir=tmp_path / "cache")
    assert str(missing) in str(info.value) and mnist.MNIST_DIR_ENV_VAR in str(info.value)


def test_directory_that_is_a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a directory")
    with pytest.raises(MnistError, match="not a directory"):
        load_mnist(mnist_dir=path, download=False)


def test_directory_without_mnist_files_lists_expected_names(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.md").write_text("nothing here")
    with pytest.raises(MnistError, match="none of the MNIST files") as info:
        load_mnist(mnist_dir=tmp_path / "empty", download=False)
    for name in ALL_FILES:
        assert name in str(info.value)


def test_incomplete_test_pair(tmp_path, monkeypatch):
    make_idx_dir(monkeypatch, tmp_path / "d", n_test=10)
    (tmp_path / "d" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(MnistError, match="incomplete: t10k-labels-idx1-ubyte.gz missing"):
        load_mnist(mnist_dir=tmp_path / "d", download=False)


def test_half_a_training_set_is_not_silently_ignored(tmp_path, monkeypatch):
    make_idx_dir(monkeypatch, tmp_path / "d", n_train=20, n_test=10)
    (tmp_path / "d" / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(MnistError, match="incomplete: train-labels-idx1-ubyte.gz missing"):
        load_mnist(mnist_dir=tmp_path / "d", download=False)


# --------------------------------------------------------------------------
# cache source
# --------------------------------------------------------------------------


def test_cache_source(tmp_path, monkeypatch):
    cache = write_npz(tmp_path / "cache" / "mnist" / "mnist.npz", n_train=20, n_test=10)
    monkeypatch.setattr(mnist, "MNIST_NPZ_SHA256", sha256(cache))
    split = load_mnist(cache_dir=tmp_path / "cache", download=False)
    assert split.source == "cache"
    assert split.x_train.shape == (20, 28, 28) and split.x_heldout.shape == (10, 28, 28)
    assert split.y_train.dtype == np.uint8 and split.y_heldout.dtype == np.uint8
    np.testing.assert_array_equal(split.x_train, fake_arrays(20, 3)[0])
    assert "mnist.npz" in split.description and "official split" in split.description
    assert split.partition == "official"
    assert_no_absolute_path(split.description, cache)


def test_cache_defaults_to_data_dir(tmp_path, monkeypatch):
    cache = write_npz(tmp_path / "data-dir" / "mnist" / "mnist.npz")
    monkeypatch.setattr(mnist, "MNIST_NPZ_SHA256", sha256(cache))
    assert mnist.mnist_cache_path() == cache
    assert load_mnist(download=False).source == "cache"


def test_corrupt_cache_says_delete_and_rerun(tmp_path):
    cache = write_npz(tmp_path / "cache" / "mnist" / "mnist.npz")  # sha256 is not Keras'
    with pytest.raises(MnistError, match="delete it and re-run") as info:
        load_mnist(cache_dir=tmp_path / "cache", download=False)
    assert str(cache) in str(info.value) and sha256(cache) in str(info.value)


def test_cache_with_wrong_shapes(tmp_path, monkeypatch):
    cache = write_npz(
        tmp_path / "cache" / "mnist" / "mnist.npz", x_train=np.zeros((20, 28, 27), np.uint8)
    )
    monkeypatch.setattr(mnist, "MNIST_NPZ_SHA256", sha256(cache))
    with pytest.raises(MnistError, match=r"\(n, 28, 28\) uint8"):
        load_mnist(cache_dir=tmp_path / "cache", download=False)


def test_cache_missing_key(tmp_path, monkeypatch):
    cache = tmp_path / "cache" / "mnist" / "mnist.npz"
    cache.parent.mkdir(parents=True)
    with open(cache, "wb") as fh:
        np.savez(fh, x_train=np.zeros((1, 28, 28), np.uint8))
    monkeypatch.setattr(mnist, "MNIST_NPZ_SHA256", sha256(cache))
    with pytest.raises(MnistError, match="Delete it and re-run"):
        load_mnist(cache_dir=tmp_path / "cache", download=False)


def test_nothing_available_without_download(tmp_path):
    with pytest.raises(MnistError) as info:
        load_mnist(cache_dir=tmp_path / "cache", download=False)
    msg = str(info.value)
    assert mnist.MNIST_DIR_ENV_VAR in msg and "download=False" in msg
    assert str(tmp_path / "cache" / "mnist" / "mnist.npz") in msg
    for name in ALL_FILES:
        assert name in msg


def test_keras_sha256_constant_matches_installed_keras():
    source = _keras_mnist_source()
    assert mnist.MNIST_NPZ_SHA256 in source
    base = mnist.MNIST_NPZ_URL.rsplit("/", 1)[0] + "/"
    assert base in source


def _keras_mnist_source() -> str:
    import importlib.util

    spec = importlib.util.find_spec("keras")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("keras is not installed")
    for root in spec.submodule_search_locations:
        path = Path(root) / "src" / "datasets" / "mnist.py"
        if path.is_file():
            return path.read_text()
    pytest.skip("keras/src/datasets/mnist.py not found in this Keras version")


# --------------------------------------------------------------------------
# download source (local HTTP server only; keras imported here)
# --------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass


@pytest.fixture
def local_server(tmp_path):
    """Serve ``tmp_path / "served"`` over HTTP on 127.0.0.1; yield the base URL."""
    pytest.importorskip("keras")
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def no_proxy(monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


def test_download_lands_in_cache(tmp_path, monkeypatch, local_server, no_proxy):
    served, base = local_server
    npz = write_npz(served / "mnist.npz", n_train=20, n_test=10)
    monkeypatch.setattr(mnist, "MNIST_NPZ_URL", f"{base}/mnist.npz")
    monkeypatch.setattr(mnist, "MNIST_NPZ_SHA256", sha256(npz))
    cache_root = tmp_path / "fresh" / "cache"  # does not exist yet
    split = load_mnist(cache_dir=cache_root)
    landed = cache_root / "mnist" / "mnist.npz"
    assert landed.read_bytes() == npz.read_bytes()
    assert split.source == "download"
    assert base in split.description and "mnist.npz" in split.description
    assert_no_absolute_path(split.description, landed)
    assert split.x_train.shape == (20, 28, 28)
    # A second call finds the cached copy and does not download again.
    served.joinpath("mnist.npz").unlink()
    assert load_mnist(cache_dir=cache_root).source == "cache"


def test_download_with_wrong_hash_fails(tmp_path, monkeypatch, local_server, no_proxy):
    served, base = local_server
    write_npz(served / "mnist.npz")
    monkeypatch.setattr(mnist, "MNIST_NPZ_URL", f"{base}/mnist.npz")
    monkeypatch.setattr(mnist, "MNIST_NPZ_SHA256", "0" * 64)
    with pytest.raises(MnistError, match="failed"):
        load_mnist(cache_dir=tmp_path / "cache")
    # The mismatching file is not left behind to poison the next run.
    assert not (tmp_path / "cache" / "mnist" / "mnist.npz").exists()


def test_download_failure_explains_where_to_put_files(tmp_path, monkeypatch, no_proxy):
    pytest.importorskip("keras")
    with socket.socket() as sock:  # find a port, then close it so nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(mnist, "MNIST_NPZ_URL", f"http://127.0.0.1:{port}/mnist.npz")
    with pytest.raises(MnistError, match="failed") as info:
        load_mnist(cache_dir=tmp_path / "cache")
    msg = str(info.value)
    assert mnist.MNIST_DIR_ENV_VAR in msg
    assert str(tmp_path / "cache" / "mnist" / "mnist.npz") in msg
    assert f"127.0.0.1:{port}" in msg and "network access" in msg
    for name in ALL_FILES:
        assert name in msg
    assert not (tmp_path / "cache" / "mnist" / "mnist.npz").exists()


# --------------------------------------------------------------------------
# which source load_mnist would use, decided without loading (mnist_source)
# --------------------------------------------------------------------------


def probe_must_not_run(*args, **kwargs):
    raise AssertionError("the network was probed although a local source decides")


def probe_answers(answer: bool):
    calls = []

    def probe(url=None, timeout=mnist.PROBE_TIMEOUT_S):
        calls.append((url, timeout))
        return answer

    probe.calls = calls
    return probe


def test_source_is_the_directory_whenever_one_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "download_host_answers", probe_must_not_run)
    monkeypatch.setenv(mnist.MNIST_DIR_ENV_VAR, str(tmp_path / "not-there-yet"))
    # An explicit setting is never skipped over, even when wrong: load_mnist then
    # reads only that directory and says what is wrong with it.
    assert mnist.mnist_source() == "directory"
    assert mnist.mnist_unavailable_reason() is None
    monkeypatch.delenv(mnist.MNIST_DIR_ENV_VAR)
    assert mnist.mnist_source(mnist_dir=tmp_path) == "directory"


def test_source_is_the_cache_when_present(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "download_host_answers", probe_must_not_run)
    write_npz(tmp_path / "cache" / "mnist" / "mnist.npz")
    assert mnist.mnist_source(cache_dir=tmp_path / "cache") == "cache"
    write_npz(tmp_path / "data-dir" / "mnist" / "mnist.npz")  # the default cache location
    assert mnist.mnist_source() == "cache"


def test_source_is_a_download_when_the_host_answers(monkeypatch):
    pytest.importorskip("keras")
    probe = probe_answers(True)
    monkeypatch.setattr(mnist, "download_host_answers", probe)
    assert mnist.mnist_source(timeout=0.5) == "download"
    assert probe.calls == [(mnist.MNIST_NPZ_URL, 0.5)]
    assert mnist.mnist_unavailable_reason() is None


def test_situation_c_no_source_at_all_gives_the_skip_reason(monkeypatch):
    # No VAEBOOK_MNIST_DIR, no cached mnist.npz (autouse fixture), network check fails.
    pytest.importorskip("keras")
    monkeypatch.setattr(mnist, "download_host_answers", probe_answers(False))
    assert mnist.mnist_source() is None
    reason = mnist.mnist_unavailable_reason()
    assert reason.startswith("MNIST is not available: VAEBOOK_MNIST_DIR is not set, ")
    assert "there is no cached " in reason and "mnist.npz" in reason
    assert "storage.googleapis.com did not answer" in reason
    # ... and it names what to provide
    assert "set VAEBOOK_MNIST_DIR to a directory with the MNIST IDX files" in reason
    assert "VAEBOOK_MNIST_DIR=../shared/data/mnist" in reason
    assert "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz" in reason
    assert "connect to the internet" in reason
    assert_no_absolute_path(reason)


def test_no_download_allowed_means_no_probe(monkeypatch):
    monkeypatch.setattr(mnist, "download_host_answers", probe_must_not_run)
    assert mnist.mnist_source(download=False) is None
    assert "download=False" in mnist.mnist_unavailable_reason(download=False)


@pytest.fixture
def listening_port():
    """A port on 127.0.0.1 that accepts connections (nothing is ever read or written)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def closed_port() -> int:
    with socket.socket() as sock:  # find a port, then close it so nothing listens there
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_download_host_probe_connects_without_downloading(listening_port, no_proxy):
    assert mnist.download_host_answers(f"http://127.0.0.1:{listening_port}/mnist.npz", 2.0)
    assert not mnist.download_host_answers(f"http://127.0.0.1:{closed_port()}/mnist.npz", 2.0)
    assert not mnist.download_host_answers("https://mnist.invalid/mnist.npz", 2.0)


def test_download_host_probe_goes_through_the_configured_proxy(listening_port, monkeypatch):
    for var in ("no_proxy", "NO_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{listening_port}")
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{listening_port}")
    # The host itself cannot be resolved; the proxy, which would fetch it, answers.
    assert mnist.download_host_answers("https://mnist.invalid/mnist.npz", 2.0)
    monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port()}")
    assert not mnist.download_host_answers("https://mnist.invalid/mnist.npz", 2.0)


def test_descriptions_name_paths_relative_to_the_repository(tmp_path, monkeypatch):
    root = mnist.repo_root()
    if root is None:
        pytest.skip("vaebook is not installed from a clone of the repository")
    assert mnist.display_path(root / "data" / "mnist" / "mnist.npz") == "data/mnist/mnist.npz"
    assert mnist.display_path(root.parent / "shared" / "data" / "mnist") == "../shared/data/mnist"
    outside = Path("/") / "nowhere-near" / "the-repo" / "mnist"
    if root.parent not in outside.parents:
        assert mnist.display_path(outside) == "mnist"
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    if root.parent not in home.parents:
        assert mnist.display_path(home / ".vaebook" / "data") == "~/.vaebook/data"


# --------------------------------------------------------------------------
# import hygiene
# --------------------------------------------------------------------------


def test_import_does_not_pull_in_a_framework():
    code = (
        "import sys, vaebook.mnist; "
        "print(sorted(m for m in ('keras', 'tensorflow', 'torch', 'jax') if m in sys.modules))"
    )
    env = dict(os.environ)
    src_dir = str(Path(mnist.__file__).parents[1])
    env["PYTHONPATH"] = os.pathsep.join([src_dir, env.get("PYTHONPATH", "")])
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == "[]"
