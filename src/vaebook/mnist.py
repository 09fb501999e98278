"""MNIST for the chapter "A convolutional VAE on MNIST", loaded from wherever it is.

:func:`load_mnist` looks for the digits in three places, in this order, and
reports in :attr:`MnistSplit.source` and :attr:`MnistSplit.description` which
one it used:

1. **A local directory of IDX files** -- the ``mnist_dir`` argument, else the
   directory named by the environment variable ``VAEBOOK_MNIST_DIR``. With the
   four official files it gives the official 60,000 / 10,000 split. With only
   the two ``t10k-*`` files (the official test split, which is what the book's
   offline build machines carry) it partitions those 10,000 images into 8,000
   for training and 2,000 held out by a fixed rule (see
   :data:`HOLDOUT_EVERY`). Every file's MD5 is checked before it is parsed.
2. **A cached** ``mnist.npz`` at ``<cache_dir or data_dir()>/mnist/mnist.npz``,
   the file Keras' own MNIST loader downloads, checked against the SHA-256
   that Keras pins for it.
3. **A download** of that same file with Keras' standard downloader
   (``keras.utils.get_file``), from the origin Keras' MNIST loader uses, into
   the cache location of (2). Keras is imported only here, so importing this
   module never pulls in a deep-learning framework.

Anything that goes wrong raises :class:`MnistError`, whose message says what
was wrong and what to do about it; nothing falls through to another source
silently.

**Which source, without loading.** :func:`mnist_source` says which of the
three :func:`load_mnist` would use (``"directory"``, ``"cache"``,
``"download"``) or ``None`` when there is none, and
:func:`mnist_unavailable_reason` says, in that case, what to provide. Neither
reads, downloads or verifies any data: a download counts as available when
Keras is installed and the download host (or the configured HTTPS proxy)
accepts a TCP connection within a few seconds (:func:`download_host_answers`).
The test suite uses them to skip what needs MNIST on a machine that has none
(the root ``conftest.py``), with the reason as the skip message.

**Checksums for other files.** Every IDX file is checked, by its file name,
against the registry :data:`IDX_MD5`, which holds the four official MD5s. To
load other IDX files under the official names (tests build synthetic ones),
register their MD5s there first, for the duration of the test only, e.g.
``monkeypatch.setitem(vaebook.mnist.IDX_MD5, name, md5_of_the_file)``. There
is no argument or environment variable that turns the check off, so in normal
use a file whose MD5 is not the registered one is always refused. Likewise
:data:`MNIST_NPZ_SHA256` is the one accepted hash of ``mnist.npz``.

**Paths in descriptions.** :attr:`MnistSplit.description` is printed into the
book's stored outputs, so it never holds an absolute path: a file or
directory inside the repository, or beside it, is named relative to the
repository root (``../shared/data/mnist``, ``data/mnist/mnist.npz``), a path
under the home directory as ``~/...``, anything else by its last component.
Error messages, which are read on the machine concerned, give full paths.

Sources:

- Y. LeCun, C. Cortes and C. J. C. Burges, *The MNIST database of handwritten
  digits*, http://yann.lecun.com/exdb/mnist/ (the IDX file format, the four
  file names and the make-up of the test set). MNIST is distributed under
  CC BY-SA 3.0.
- Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning
  applied to document recognition", Proc. IEEE 86(11), 1998.
- C. Yadav and L. Bottou, "Cold Case: The Lost MNIST Digits", NeurIPS 2019,
  arXiv:1905.10498 (where each MNIST digit came from in NIST).
- Keras, ``keras.datasets.mnist.load_data`` and ``keras.utils.get_file``
  (origin URL and SHA-256 of ``mnist.npz``), https://keras.io/api/datasets/mnist/.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import socket
import threading
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vaebook.paths import data_dir, repo_root

__all__ = [
    "HOLDOUT_EVERY",
    "IDX_MD5",
    "MNIST_DIR_ENV_VAR",
    "MNIST_NPZ_NAME",
    "MNIST_NPZ_SHA256",
    "MNIST_NPZ_URL",
    "MnistError",
    "MnistSplit",
    "PROBE_TIMEOUT_S",
    "TEST_FILES",
    "TRAIN_FILES",
    "display_path",
    "download_host_answers",
    "load_mnist",
    "mnist_cache_path",
    "mnist_source",
    "mnist_unavailable_reason",
    "read_idx",
]

MNIST_DIR_ENV_VAR = "VAEBOOK_MNIST_DIR"

# The official file names, as (images, labels).
TRAIN_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

# The checksum registry: MD5 of each official gzipped IDX file, as published
# with MNIST. load_mnist checks every file against this table, by file name,
# before parsing it. It is the one documented way to accept other files: tests
# that build synthetic IDX files register their MD5s here for the duration of
# the test (monkeypatch.setitem(IDX_MD5, name, md5)). There is deliberately no
# argument or environment variable that turns the check off.
IDX_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

# The file Keras' MNIST loader downloads, from the same origin and with the
# same SHA-256 that keras.datasets.mnist.load_data pins (checked against the
# installed Keras 3 source). Module constants so tests can point them at a
# local server.
MNIST_NPZ_NAME = "mnist.npz"
MNIST_NPZ_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_CACHE_SUBDIR = "mnist"

# Offline fallback with only the official test split: image i (0-based, in
# file order) is held out when i % HOLDOUT_EVERY == 0, giving 2,000 held-out
# and 8,000 training images. No random numbers are involved, so the partition
# is the same on every machine and every run. It is interleaved rather than
# contiguous on purpose: per the MNIST page, the first 5,000 test images come
# from NIST's original training set (Census Bureau employees) and the last
# 5,000 from NIST's original test set (high-school students), which are
# harder. Splitting at an index would put one writer population mostly on one
# side; taking every fifth image keeps both populations in both parts, in the
# same proportions.
HOLDOUT_EVERY = 5

# How long mnist_source() waits for the download host to accept a connection.
PROBE_TIMEOUT_S = 3.0

_IMAGE_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
_LABEL_MAGIC = 0x00000801  # unsigned bytes, 1 dimension
_IMAGE_SHAPE = (28, 28)


class MnistError(RuntimeError):
    """MNIST could not be found, verified or parsed; the message says what to do."""


@dataclass(frozen=True)
class MnistSplit:
    """MNIST images and labels, split into a training part and a held-out part.

    Images are ``(n, 28, 28)`` uint8 arrays (0 = background, 255 = ink) and
    labels ``(n,)`` uint8 arrays of digits 0-9. ``source`` is ``"directory"``,
    ``"cache"`` or ``"download"``; ``partition`` is ``"official"`` (the
    official training and test split) or ``"test split"`` (the t10k files
    alone, divided by :data:`HOLDOUT_EVERY`): for real MNIST 60,000 / 10,000
    and 8,000 / 2,000 images. ``description`` is one sentence saying where
    the data came from (with no absolute path), which split it is and how big
    each part is -- chapters print it so the rendered book says what it ran on.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_heldout: np.ndarray
    y_heldout: np.ndarray
    source: str
    partition: str
    description: str

    @property
    def n_train(self) -> int:
        return int(self.y_train.shape[0])

    @property
    def n_heldout(self) -> int:
        return int(self.y_heldout.shape[0])


# --------------------------------------------------------------------------
# IDX files
# --------------------------------------------------------------------------


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Parse one gzipped IDX file of unsigned bytes and return it as a uint8 array.

    Only the two layouts MNIST uses are accepted: magic ``0x00000801``
    (labels, one dimension) and ``0x00000803`` (images, three dimensions).
    The header's dimensions must account for the payload exactly. A missing,
    truncated, corrupt or malformed file raises :class:`MnistError`.
    """
    path = Path(path)
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise MnistError(f"MNIST file {path} does not exist.") from None
    except (OSError, EOFError, zlib.error) as exc:
        # gzip.BadGzipFile is an OSError; a cut-off stream raises EOFError.
        raise MnistError(
            f"MNIST file {path} is not a readable gzip file ({type(exc).__name__}: {exc}). "
            "It is probably truncated or corrupt: re-download it or replace it with an intact copy."
        ) from exc
    return _parse_idx(raw, path)


def _parse_idx(raw: bytes, path: Path) -> np.ndarray:
    fix = "Re-download it or replace it with an intact copy."
    if len(raw) < 4:
        raise MnistError(
            f"MNIST file {path} holds {len(raw)} bytes after decompression, too few for an "
            f"IDX header. {fix}"
        )
    magic = int.from_bytes(raw[:4], "big")
    if magic not in (_LABEL_MAGIC, _IMAGE_MAGIC):
        raise MnistError(
            f"MNIST file {path} has IDX magic number 0x{magic:08x}; expected 0x{_LABEL_MAGIC:08x} "
            f"(labels) or 0x{_IMAGE_MAGIC:08x} (images). It is not an MNIST IDX file of "
            f"unsigned bytes. {fix}"
        )
    ndim = magic & 0xFF
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise MnistError(
            f"MNIST file {path} ends inside its IDX header ({len(raw)} bytes, header needs "
            f"{header_len}). {fix}"
        )
    dims = tuple(int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim))
    expected = int(np.prod(dims, dtype=np.int64))
    payload = len(raw) - header_len
    if payload != expected:
        kind = "truncated" if payload < expected else "longer than its header says"
        raise MnistError(
            f"MNIST file {path} is {kind}: its IDX header declares shape {dims} "
            f"({expected} bytes of data) but {payload} bytes follow the header. {fix}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(dims).copy()


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify_md5(path: Path) -> None:
    expected = IDX_MD5[path.name]
    actual = _md5(path)
    if actual != expected:
        raise MnistError(
            f"MNIST file {path} ({path.stat().st_size:,} bytes) fails its checksum: expected "
            f"md5 {expected}, got {actual}. The file is damaged or is not the official one: "
            "delete it and re-download it from the MNIST distribution (or an exact mirror), "
            "or replace it with an intact copy."
        )


def _read_pair(directory: Path, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    images_path, labels_path = (directory / name for name in names)
    for path in (images_path, labels_path):
        _verify_md5(path)
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    _check_arrays(images, labels, f"{images_path} / {labels_path}")
    return images, labels


def _check_arrays(images: np.ndarray, labels: np.ndarray, where: str) -> None:
    """Check images are (n, 28, 28) uint8 and labels (n,) digits 0-9."""
    fix = "Replace the data with an intact copy of MNIST."
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != _IMAGE_SHAPE:
        raise MnistError(
            f"MNIST images from {where} have shape {images.shape} and dtype {images.dtype}; "
            f"expected (n, 28, 28) uint8. {fix}"
        )
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise MnistError(
            f"MNIST labels from {where} have shape {labels.shape} and dtype {labels.dtype}; "
            f"expected (n,) integers. {fix}"
        )
    if images.shape[0] != labels.shape[0]:
        raise MnistError(
            f"MNIST data from {where} has {images.shape[0]} images but {labels.shape[0]} "
            f"labels. {fix}"
        )
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise MnistError(
            f"MNIST labels from {where} range over {labels.min()}..{labels.max()}; expected "
            f"digits 0..9. {fix}"
        )


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------


def display_path(path: str | os.PathLike) -> str:
    """``path`` as printed in a description: never absolute (see the module docstring).

    Relative to the repository root when the path lies in the repository or
    beside it (``../shared/data/mnist``); ``~/...`` when it lies under the
    home directory; otherwise just its last component.
    """
    path = Path(os.path.abspath(Path(path).expanduser()))
    root = repo_root()
    if root is not None:
        root = Path(os.path.abspath(root))
        if path == root or root.parent in path.parents or path == root.parent:
            return os.path.relpath(path, root)
    home = Path(os.path.abspath(Path.home()))
    if home != Path(home.anchor) and home in path.parents:
        return str(Path("~") / path.relative_to(home))
    return path.name or "."


def mnist_cache_path(cache_dir: str | os.PathLike | None = None) -> Path:
    """Where the cached ``mnist.npz`` lives: ``<cache_dir or data_dir()>/mnist/mnist.npz``."""
    root = Path(cache_dir).expanduser() if cache_dir is not None else data_dir()
    return root / _CACHE_SUBDIR / MNIST_NPZ_NAME


def _where_to_put_files(cache_file: Path) -> str:
    all_names = ", ".join(TRAIN_FILES + TEST_FILES)
    return (
        f"To load MNIST without network access, either set {MNIST_DIR_ENV_VAR} to a directory "
        f"holding the gzipped IDX files ({all_names}; the two t10k-* files alone also work, "
        f"giving an 8,000/2,000 partition of the test split), or put Keras' {MNIST_NPZ_NAME} "
        f"(sha256 {MNIST_NPZ_SHA256}) at {cache_file}. Otherwise run once on a machine with "
        f"network access so that load_mnist() can download {MNIST_NPZ_URL} there."
    )


def _load_from_directory(directory: Path) -> MnistSplit:
    if not directory.exists():
        raise MnistError(
            f"The MNIST directory {directory} does not exist. Point mnist_dir or "
            f"{MNIST_DIR_ENV_VAR} at a directory holding the gzipped IDX files, or unset it."
        )
    if not directory.is_dir():
        raise MnistError(
            f"The MNIST directory {directory} is not a directory. Point mnist_dir or "
            f"{MNIST_DIR_ENV_VAR} at a directory holding the gzipped IDX files, or unset it."
        )
    has_train = [(directory / name).is_file() for name in TRAIN_FILES]
    has_test = [(directory / name).is_file() for name in TEST_FILES]
    expected = (
        f"expected all four of {', '.join(TRAIN_FILES + TEST_FILES)} (the official 60k/10k "
        f"split), or just {' and '.join(TEST_FILES)} (the 10k test split)"
    )

    if any(has_train) or any(has_test):
        missing = [
            name
            for name, present in zip(TRAIN_FILES + TEST_FILES, has_train + has_test)
            if not present and (name in TEST_FILES or any(has_train))
        ]
        if missing:
            raise MnistError(
                f"The MNIST directory {directory} is incomplete: {', '.join(missing)} "
                f"missing; {expected}. Add the missing files."
            )
    else:
        raise MnistError(
            f"The MNIST directory {directory} holds none of the MNIST files: {expected}."
        )

    x_test, y_test = _read_pair(directory, TEST_FILES)
    if all(has_train):
        x_train, y_train = _read_pair(directory, TRAIN_FILES)
        description = (
            f"Full MNIST from the directory {display_path(directory)}: the official split, "
            f"{len(y_train):,} training and {len(y_test):,} held-out (test) images."
        )
        return MnistSplit(
            x_train=x_train,
            y_train=y_train,
            x_heldout=x_test,
            y_heldout=y_test,
            source="directory",
            partition="official",
            description=description,
        )

    heldout = np.arange(len(y_test)) % HOLDOUT_EVERY == 0
    description = (
        f"MNIST test split only (t10k files, {len(y_test):,} images) from the directory "
        f"{display_path(directory)}, partitioned by a fixed rule: image i is held out when "
        f"i % {HOLDOUT_EVERY} == 0 ({int(heldout.sum()):,} held-out images) and the other "
        f"{int((~heldout).sum()):,} are used for training."
    )
    return MnistSplit(
        x_train=x_test[~heldout],
        y_train=y_test[~heldout],
        x_heldout=x_test[heldout],
        y_heldout=y_test[heldout],
        source="directory",
        partition="test split",
        description=description,
    )


def _load_npz(path: Path, source: str, origin_note: str) -> MnistSplit:
    actual = _sha256(path)
    if actual != MNIST_NPZ_SHA256:
        raise MnistError(
            f"The cached MNIST file {path} ({path.stat().st_size:,} bytes) fails its checksum: "
            f"expected sha256 {MNIST_NPZ_SHA256}, got {actual}. It is incomplete or corrupt: "
            "delete it and re-run (load_mnist() downloads it again when it can)."
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    except (OSError, ValueError, KeyError, zlib.error, EOFError) as exc:
        raise MnistError(
            f"The cached MNIST file {path} could not be read as Keras' mnist.npz with arrays "
            f"x_train, y_train, x_test, y_test ({type(exc).__name__}: {exc}). Delete it and re-run."
        ) from exc
    _check_arrays(arrays["x_train"], arrays["y_train"], f"{path} (x_train, y_train)")
    _check_arrays(arrays["x_test"], arrays["y_test"], f"{path} (x_test, y_test)")
    description = (
        f"Full MNIST {origin_note} {display_path(path)}: the official split, "
        f"{len(arrays['y_train']):,} training and {len(arrays['y_test']):,} held-out (test) images."
    )
    return MnistSplit(
        x_train=arrays["x_train"],
        y_train=arrays["y_train"].astype(np.uint8),
        x_heldout=arrays["x_test"],
        y_heldout=arrays["y_test"].astype(np.uint8),
        source=source,
        partition="official",
        description=description,
    )


def _download(cache_file: Path) -> Path:
    cache_root = cache_file.parent.parent
    try:
        # keras.utils.get_file falls back to /tmp/.keras when the cache root is
        # not writable (or does not exist yet), so make sure it exists first.
        cache_file.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MnistError(
            f"Cannot create the MNIST cache directory {cache_file.parent} ({exc}). Pass a "
            f"writable cache_dir to load_mnist(). {_where_to_put_files(cache_file)}"
        ) from exc
    try:
        import keras  # lazily: the core package must not import a framework
    except ImportError as exc:
        raise MnistError(
            f"Downloading MNIST needs Keras, which is not installed ({exc}). Install keras, or "
            f"provide the data locally. {_where_to_put_files(cache_file)}"
        ) from exc
    try:
        fetched = keras.utils.get_file(
            fname=MNIST_NPZ_NAME,
            origin=MNIST_NPZ_URL,
            file_hash=MNIST_NPZ_SHA256,
            cache_dir=str(cache_root),
            cache_subdir=_CACHE_SUBDIR,
        )
    except Exception as exc:  # Keras wraps network errors in a bare Exception
        # Keras deletes a partial download but keeps a complete file whose hash
        # is wrong; this function only runs when no cached file existed, so
        # whatever is there now came from this failed attempt.
        cache_file.unlink(missing_ok=True)
        raise MnistError(
            f"Downloading MNIST from {MNIST_NPZ_URL} failed ({type(exc).__name__}: {exc}). "
            f"{_where_to_put_files(cache_file)}"
        ) from exc
    fetched = Path(fetched)
    if fetched.resolve() != cache_file.resolve():
        raise MnistError(
            f"Keras saved MNIST to {fetched}, not to the expected cache path {cache_file}. "
            f"Move it there, or pass a writable cache_dir to load_mnist()."
        )
    return cache_file


def load_mnist(
    *,
    mnist_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    download: bool = True,
) -> MnistSplit:
    """Load MNIST from a local IDX directory, the cache, or a download, in that order.

    Parameters
    ----------
    mnist_dir
        Directory with the gzipped IDX files. Defaults to the directory named by
        ``VAEBOOK_MNIST_DIR``. When either is set it is the only source tried.
    cache_dir
        Root of the cache; ``mnist.npz`` lives in its ``mnist/`` subdirectory.
        Defaults to :func:`vaebook.paths.data_dir`.
    download
        Whether to download ``mnist.npz`` (with Keras) when nothing local is found.

    Every IDX file must match its MD5 in :data:`IDX_MD5` and ``mnist.npz`` its
    SHA-256 :data:`MNIST_NPZ_SHA256`; to load synthetic files in a test, register
    their checksums there first (see the module docstring). Which source would
    be used can be asked beforehand, without loading: :func:`mnist_source`.

    Raises
    ------
    MnistError
        If no source is available, or a file fails its checksum or does not parse.
    """
    if mnist_dir is None:
        env = os.environ.get(MNIST_DIR_ENV_VAR)
        if env:
            mnist_dir = env
    if mnist_dir is not None:
        return _load_from_directory(Path(mnist_dir).expanduser())

    cache_file = mnist_cache_path(cache_dir)
    if cache_file.exists():
        return _load_npz(cache_file, "cache", "from the cached file")
    if not download:
        raise MnistError(
            f"No MNIST data found: {MNIST_DIR_ENV_VAR} is not set, there is no {cache_file}, and "
            f"download=False. {_where_to_put_files(cache_file)}"
        )
    fetched = _download(cache_file)
    return _load_npz(fetched, "download", f"downloaded from {MNIST_NPZ_URL} to")


# --------------------------------------------------------------------------
# Which source would be used, without loading anything
# --------------------------------------------------------------------------


def download_host_answers(
    url: str | None = None, timeout: float = PROBE_TIMEOUT_S
) -> bool:
    """Whether the host serving ``url`` (default :data:`MNIST_NPZ_URL`) accepts a connection.

    Opens, and at once closes, one TCP connection to the host's port (or to
    the HTTPS/HTTP proxy configured in the environment for that URL, since the
    download would go through it), giving up after ``timeout`` seconds, name
    lookup included. Nothing is sent or downloaded.
    """
    parts = urllib.parse.urlsplit(url or MNIST_NPZ_URL)
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if host is None:
        return False
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        proxy_parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if proxy_parts.hostname:
            host, port = proxy_parts.hostname, proxy_parts.port or 80
    answered, done = [], threading.Event()

    def attempt() -> None:  # in a thread: socket timeouts do not cover the name lookup
        try:
            with socket.create_connection((host, port), timeout=timeout):
                answered.append(True)
        except (OSError, ValueError):
            pass
        finally:
            done.set()

    threading.Thread(target=attempt, name="mnist-download-probe", daemon=True).start()
    done.wait(timeout)
    return bool(answered)


def _find_source(
    mnist_dir: str | os.PathLike | None,
    cache_dir: str | os.PathLike | None,
    download: bool,
    timeout: float,
) -> tuple[str | None, str]:
    """(source load_mnist would use or None, why nothing is available)."""
    if mnist_dir is None:
        mnist_dir = os.environ.get(MNIST_DIR_ENV_VAR) or None
    if mnist_dir is not None:
        # load_mnist tries only this directory and reports what is wrong with
        # it; an explicit setting is never skipped over.
        return "directory", ""
    cache_file = mnist_cache_path(cache_dir)
    if cache_file.exists():
        return "cache", ""
    cache = display_path(cache_file)
    if not download:
        why = f"{MNIST_DIR_ENV_VAR} is not set, there is no cached {cache}, and download=False"
    elif importlib.util.find_spec("keras") is None:
        why = (
            f"{MNIST_DIR_ENV_VAR} is not set, there is no cached {cache}, and Keras, which "
            "downloads it, is not installed"
        )
    elif not download_host_answers(MNIST_NPZ_URL, timeout):
        host = urllib.parse.urlsplit(MNIST_NPZ_URL).hostname
        why = (
            f"{MNIST_DIR_ENV_VAR} is not set, there is no cached {cache}, and the download "
            f"host {host} did not answer within {timeout:g} s (no network?)"
        )
    else:
        return "download", ""
    return None, why


def mnist_source(
    *,
    mnist_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    download: bool = True,
    timeout: float = PROBE_TIMEOUT_S,
) -> str | None:
    """Which source :func:`load_mnist` would use with these arguments, or None if none.

    Returns ``"directory"`` when ``mnist_dir`` or ``VAEBOOK_MNIST_DIR`` is set
    (whatever the directory holds: load_mnist then reads only it and says what
    is wrong with it), else ``"cache"`` when the cached ``mnist.npz`` exists,
    else ``"download"`` when ``download`` is true, Keras is installed and the
    download host answers a connection attempt within ``timeout`` seconds
    (:func:`download_host_answers`), else ``None``. Nothing is read, verified
    or downloaded.
    """
    return _find_source(mnist_dir, cache_dir, download, timeout)[0]


def mnist_unavailable_reason(
    *,
    mnist_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    download: bool = True,
    timeout: float = PROBE_TIMEOUT_S,
) -> str | None:
    """None if :func:`mnist_source` finds a source; otherwise why not and what to provide.

    The text is the skip reason of the tests and chapters that need MNIST.
    """
    source, why = _find_source(mnist_dir, cache_dir, download, timeout)
    if source is not None:
        return None
    return (
        f"MNIST is not available: {why}. To provide it, set {MNIST_DIR_ENV_VAR} to a "
        f"directory with the MNIST IDX files (all four, or just {' and '.join(TEST_FILES)}), "
        f"e.g. {MNIST_DIR_ENV_VAR}=../shared/data/mnist, or connect to the internet so that "
        f"load_mnist() can download {MNIST_NPZ_NAME}."
    )
