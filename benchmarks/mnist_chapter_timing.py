"""Time the chapter "A convolutional VAE on MNIST" with each MNIST source the loader may find.

    python benchmarks/mnist_chapter_timing.py                      # both sources, full mode
    python benchmarks/mnist_chapter_timing.py --sources full-size  # one source
    python benchmarks/mnist_chapter_timing.py --quick              # both, quick mode

Not a test. The chapter's full mode must run in 15 minutes on a 2-core CPU;
this script measures it. For each source it executes an in-memory copy of the
notebook from top to bottom with nbclient (``booktools.maintain.execute_notebooks.run_notebook``,
as ``make execute`` does; the notebook on disk is not changed) and prints one
JSON line:

    {"source", "mode", "wall_s", "kernel_cpu_s", "data", "fit", "load_before", "load_after"}

``data`` and ``fit`` are the chapter's own printed lines naming the data and
the sizes used, so the line shows which source was in force. ``load_*`` are the
1-minute load averages before and after the run: wall times on a shared machine
are only comparable when they are close to each other (and to 0 for an idle one).
``kernel_cpu_s`` is the CPU time (user + system, all threads) the notebook's
kernel used, read by a cell the script appends at the end: it depends much less
on what else the machine is doing, so it compares runs made at different loads
(``--notebook`` times another version of the chapter, e.g. an older commit's).

The sources:

``directory``
    The directory named by ``VAEBOOK_MNIST_DIR`` (default ``../shared/data/mnist``
    beside the repository). With the four official files it gives the official
    60,000 / 10,000 split, the data of the stored outputs; with only the two
    test files, the loader's 8,000 / 2,000 partition of the test split.

``full-size``
    A full-size MNIST directory built by this script in a temporary directory:
    the four official file names, 60,000 training and 10,000 test images,
    gzipped IDX. There is no network here, so it is made from that test split:
    the test file holds the 10,000 test images, the training file six copies of
    them, each image shifted by its own seeded offset of up to two pixels in each
    direction (the digits have a margin of empty pixels, so nothing is cut). The
    loader accepts only files whose MD5 is registered in
    ``vaebook.mnist.IDX_MD5``; the script registers these files' MD5s there, in
    the notebook's kernel, with a cell it puts before the chapter's first code
    cell (the documented way to load other files under the official names). The
    chapter's numbers on this directory mean nothing (its held-out images are
    shifted copies of training images), but its asserts must still hold, so the
    run is the chapter's real code path on a 60,000 / 10,000 split.

A run that fails (a cell raises) prints the error and exits with status 1.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "chapters" / "mnist_vae.ipynb"
sys.path.insert(0, str(ROOT))  # run as a file: the book's root, for booktools
sys.path.insert(0, str(ROOT / "src"))
from booktools.maintain.execute_notebooks import run_notebook  # noqa: E402

from vaebook import mnist  # noqa: E402

SEED = 20_260_101  # the synthetic directory's shifts
COPIES = 6  # 6 x 10,000 = 60,000 training images
MAX_SHIFT = 2  # pixels, in each direction


def gzip_idx(array: np.ndarray) -> bytes:
    """The gzipped IDX encoding (unsigned bytes) of a uint8 array."""
    header = (0x00000800 | array.ndim).to_bytes(4, "big")
    header += b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.tobytes(), compresslevel=1, mtime=0)


def build_full_size(test_split_dir: Path, out: Path) -> dict[str, str]:
    """Write a 60,000 / 10,000 MNIST directory made from the test split; return its MD5s."""
    images = mnist.read_idx(test_split_dir / mnist.TEST_FILES[0])  # (10000, 28, 28)
    labels = mnist.read_idx(test_split_dir / mnist.TEST_FILES[1])  # (10000,)
    if images.shape != (10_000, 28, 28) or labels.shape != (10_000,):
        raise SystemExit(f"{test_split_dir} does not hold the 10,000-image MNIST test split")
    rng = np.random.default_rng(SEED)
    shifted = []
    for _ in range(COPIES):
        offsets = rng.integers(-MAX_SHIFT, MAX_SHIFT + 1, size=(len(images), 2))
        shifted.append(np.stack([np.roll(im, tuple(o), axis=(0, 1)) for im, o in zip(images, offsets)]))
    files = {
        mnist.TRAIN_FILES[0]: np.concatenate(shifted),
        mnist.TRAIN_FILES[1]: np.tile(labels, COPIES),
        mnist.TEST_FILES[0]: images,
        mnist.TEST_FILES[1]: labels,
    }
    md5 = {}
    for name, array in files.items():
        data = gzip_idx(np.ascontiguousarray(array, dtype=np.uint8))
        (out / name).write_bytes(data)
        md5[name] = hashlib.md5(data).hexdigest()
    return md5


def with_registered_md5(nb, md5: dict[str, str]):
    """A copy of ``nb`` with a first code cell that registers ``md5`` in vaebook.mnist.IDX_MD5."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    cell = nbformat.v4.new_code_cell(
        "import vaebook.mnist  # added by benchmarks/mnist_chapter_timing.py\n"
        f"vaebook.mnist.IDX_MD5.update({md5!r})"
    )
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code, cell)
    return nb


CPU_MARKER = "kernel CPU seconds:"


def with_cpu_report(nb):
    """A copy of ``nb`` with a last code cell that prints the kernel's CPU time so far."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.cells.append(nbformat.v4.new_code_cell(
        "import os  # added by benchmarks/mnist_chapter_timing.py\n"
        f"print({CPU_MARKER!r}, round(os.times().user + os.times().system, 1))"
    ))
    return nb


def printed(nb, start: str) -> str:
    """The first printed line of ``nb``'s outputs that starts with ``start`` (continuations joined)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            lines = text.splitlines()
            for i, line in enumerate(lines):
                if line.startswith(start):
                    more = [x.strip() for x in lines[i + 1 :] if x.startswith(" " * 12)]
                    return " ".join([line.strip(), *more])
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", nargs="+", choices=["directory", "full-size"],
                        default=["directory", "full-size"])
    parser.add_argument("--quick", action="store_true", help="quick mode instead of full mode")
    parser.add_argument("--timeout", type=int, default=3600, help="per-cell timeout in seconds")
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK,
                        help="the chapter to time (default: chapters/mnist_vae.ipynb)")
    args = parser.parse_args(argv)

    test_split_dir = Path(os.environ.get(mnist.MNIST_DIR_ENV_VAR) or ROOT.parent / "shared" / "data" / "mnist")
    if not all((test_split_dir / name).is_file() for name in mnist.TEST_FILES):
        parser.error(f"no MNIST test split in {test_split_dir}: set {mnist.MNIST_DIR_ENV_VAR}")
    chapter = with_cpu_report(nbformat.read(args.notebook, as_version=4))
    status = 0
    with tempfile.TemporaryDirectory(prefix="vaebook-mnist-full-size-") as tmp:
        for source in args.sources:
            nb = chapter
            directory = test_split_dir
            if source == "full-size":
                directory = Path(tmp)
                nb = with_registered_md5(chapter, build_full_size(test_split_dir, directory))
            nb = nbformat.from_dict(json.loads(json.dumps(nb)))
            previous = os.environ.get(mnist.MNIST_DIR_ENV_VAR)
            os.environ[mnist.MNIST_DIR_ENV_VAR] = str(directory)  # the kernel inherits it
            load_before = os.getloadavg()[0]
            try:
                wall = run_notebook(nb, quick=args.quick, timeout=args.timeout, cwd=NOTEBOOK.parent)
            except Exception as exc:  # a cell raised: report it and go on to the next source
                print(json.dumps({"source": source, "error": f"{type(exc).__name__}: {exc}"[:2000]}), flush=True)
                status = 1
                continue
            finally:
                if previous is None:
                    os.environ.pop(mnist.MNIST_DIR_ENV_VAR, None)
                else:
                    os.environ[mnist.MNIST_DIR_ENV_VAR] = previous
            print(json.dumps({
                "source": source,
                "mode": "quick" if args.quick else "full",
                "wall_s": round(wall, 1),
                "kernel_cpu_s": float((printed(nb, CPU_MARKER).split() or ["nan"])[-1]),
                "data": printed(nb, "data      :"),
                "fit": printed(nb, "fit "),
                "load_before": round(load_before, 2),
                "load_after": round(os.getloadavg()[0], 2),
            }), flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
