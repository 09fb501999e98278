"""Long-budget run of the MNIST chapter's d = 16 VAE: test NLL against optimizer steps.

    VAEBOOK_MNIST_DIR=../shared/data/mnist python benchmarks/mnist_long_run.py            # about 1 h on 2 cores
    VAEBOOK_MNIST_DIR=../shared/data/mnist python benchmarks/mnist_long_run.py --quick    # smoke run, 1 min

Not a test. It answers the question the chapter "A convolutional VAE on MNIST"
leaves open: how far would more training take the chapter's model? The model,
its loss, the dynamic binarization of the training batches and the evaluation
are the chapter's own (the notebook's cells tagged ``model-code`` and
``data-code`` are executed, not copied), in full mode: the official split,
50,000 fitted images, Adam(1e-3), batch 128, the chapter's seed. Unlike the
chapter it does not stop early: it trains for ``--steps`` steps and, at each
checkpoint in ``--checkpoints``, estimates the test NLL with K = 1000
importance samples on the chapter's ``num_is`` evenly spread test images
(every 20th of the 10,000) with the chapter's fixed draws, and the validation
-ELBO. It writes one JSON file (``--out``, default
``benchmarks/results/mnist_long_run.json``) that the chapter reads and plots.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "chapters" / "mnist_vae.ipynb"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "mnist_long_run.json"
CHECKPOINTS = (500, 1000, 2000, 4000, 6000, 10000, 16000, 24000, 32000, 40000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoints", type=int, nargs="+", default=list(CHECKPOINTS),
                        help="optimizer steps at which the test NLL is estimated (the last is the run's length)")
    parser.add_argument("--num-is", type=int, default=500, help="test images for the NLL (evenly spread)")
    parser.add_argument("--K", type=int, default=1000, help="importance samples per image")
    parser.add_argument("--quick", action="store_true", help="smoke run: checkpoints 20 40, 20 images, K = 50")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if args.quick:
        args.checkpoints, args.num_is, args.K = [20, 40], 20, 50
        if args.out == DEFAULT_OUT:
            args.out = Path("/tmp/mnist_long_run_quick.json")
    checkpoints = sorted(set(args.checkpoints))
    if checkpoints[0] < 1:
        parser.error("checkpoints must be positive step counts")

    os.environ["VAEBOOK_QUICK"] = "0"  # the chapter's full-mode sizes
    from vaebook.tf_utils import run_tagged_cells  # before keras: quiet TensorFlow start-up
    import keras

    from vaebook import DEFAULT_SEED, budget
    from vaebook.maths import log_mean_exp
    from vaebook.mnist import load_mnist

    split = load_mnist()
    ns = run_tagged_cells(NOTEBOOK, ["model-code", "data-code"], split=split, budget=budget)
    x_heldout, x_val = ns["x_heldout"], ns["x_val"]
    x_is = x_heldout[np.arange(args.num_is) * (len(x_heldout) // args.num_is)]
    eps = np.random.default_rng(DEFAULT_SEED).standard_normal((args.K, args.num_is, 16))
    eps_val = np.random.default_rng(DEFAULT_SEED).standard_normal((1, len(x_val), 16))

    keras.utils.set_random_seed(DEFAULT_SEED)
    vae = ns["build_vae"](latent_dim=16)
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3))
    stream = ns["DynamicBinarization"](ns["grey_fit"], 128, 1, DEFAULT_SEED)
    rows, done, train_s = [], 0, 0.0
    start = time.perf_counter()
    for target in checkpoints:
        stream.steps = target - done  # one "epoch" of fit = the steps up to the checkpoint
        stream.on_epoch_end()
        tick = time.perf_counter()
        vae.fit(stream, epochs=1, shuffle=False, verbose=0)
        train_s += time.perf_counter() - tick
        done = target
        log_w = ns["log_weights"](vae, x_is, eps)  # (K, num_is)
        nll = -log_mean_exp(log_w, axis=0)
        val_elbo = ns["log_weights"](vae, x_val, eps_val)[0]
        rows.append({"step": done, "test_nll": round(float(nll.mean()), 3),
                     "test_nll_se": round(float(nll.std(ddof=1) / np.sqrt(len(nll))), 3),
                     "test_neg_elbo_K_mean": round(float(-log_w.mean()), 3),
                     "val_neg_elbo": round(float(-val_elbo.mean()), 3),
                     "train_s": round(train_s, 1)})
        print(json.dumps(rows[-1]), flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({
            "what": "test NLL of the chapter's d = 16 model against optimizer steps (constant learning rate, no early stopping)",
            "data": split.description, "num_is": args.num_is, "K": args.K, "seed": DEFAULT_SEED,
            "batch_size": 128, "learning_rate": 1e-3, "num_fit": len(ns["grey_fit"]),
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
            "keras": keras.__version__, "backend": keras.backend.backend(),
            "wall_s": round(time.perf_counter() - start, 1), "rows": rows,
        }, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
