"""Benchmark: the MNIST VAEs of "A convolutional VAE on MNIST" against the Keras example configuration.

    VAEBOOK_MNIST_DIR=../shared/data/mnist python benchmarks/mnist_benchmark.py --out benchmarks/results/mnist_benchmark.jsonl
    python benchmarks/mnist_benchmark.py --quick        # a smoke run in about a minute

Not a test: it trains three models and prints one JSON line per model,

    {"model", "heldout_is_nll_nats", "heldout_neg_elbo_nats", "train_images_per_s", "wall_s", "steps", "K", ...}

The chapter's models are not copied here. The script executes the notebook's
cells tagged ``model-code`` (the loss, the sampling layer, the encoder and
decoder, ``VAE``, ``build_vae``, the ``BatchStream`` that serves the training
batches and the importance-sampling ``log_weights``) and ``data-code`` (the
check of the split's sizes, the fixed-seed binarization and the chapter's
fit/validation/held-out sizes, in full mode), in order,
so the benchmark always measures what the chapter shows.

The baseline is the configuration of the widely used Keras VAE example,
written here from its description: encoder two stride-2 3x3 convolutions
(32, 64 filters, ReLU), flatten, Dense(16, ReLU), z_mean and z_log_var with
latent_dim = 2; decoder Dense(7*7*64, ReLU), reshape, transposed convolutions
(64, 32 filters, stride 2, ReLU) and a final 1-filter transposed convolution
with a sigmoid; loss = binary cross-entropy of the sigmoid probabilities
(Keras clips them to [1e-7, 1 - 1e-7]) summed over pixels, plus the KL,
averaged over the batch; Adam, batch 128. For evaluation the baseline's
decoder returns the pre-activation of its last layer, so its likelihood is
computed from exact logits (no clipping) with the same function as the
chapter's models.

Same for all three models: the official split as the chapter uses it (50,000
fitted images, binarized anew in every batch by the chapter's
``DynamicBinarization``; the last 10,000 training images, binarized once,
validate), the seed, Adam(1e-3), batch 128 and the number of optimizer steps
(``--steps``, served in periods of ``--steps-per-period`` steps, each followed
by a validation check). Every model runs all steps;
EarlyStopping(restore_best_weights=True) with patience = all periods then hands
back the weights of the best validation period. Evaluation, as in the chapter:
the test -ELBO on all 10,000 test images (binarized once) with 10 fixed draws
each, and the importance-sampled NLL with K = 1000 fixed draws on 500 test
images spread evenly over the test split. train_images_per_s counts training
images over the wall time of periods 2..n (period 1 includes graph tracing),
validation included; the ratio of the book's d = 16 model to the baseline is
printed last.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "chapters" / "mnist_vae.ipynb"


def make_baseline(ns: dict):
    """The Keras example configuration (see the module docstring), with the chapter's Sampling layer."""
    keras, ops, layers = ns["keras"], ns["ops"], ns["keras"].layers

    class BaselineVAE(keras.Model):
        def __init__(self, latent_dim=2, **kwargs):
            super().__init__(**kwargs)
            self.latent_dim = latent_dim
            inputs = keras.Input((28, 28, 1))
            h = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(inputs)
            h = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(h)
            h = layers.Dense(16, activation="relu")(layers.Flatten()(h))
            self.encoder = keras.Model(inputs, [layers.Dense(latent_dim)(h), layers.Dense(latent_dim)(h)])
            self.decoder = keras.Sequential([  # returns the last layer's pre-activation (logits)
                keras.Input((latent_dim,)),
                layers.Dense(7 * 7 * 64, activation="relu"),
                layers.Reshape((7, 7, 64)),
                layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu"),
                layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu"),
                layers.Conv2DTranspose(1, 3, padding="same"),
            ])
            self.sampling = ns["Sampling"](ns["seed_generator"])
            self.recon_tracker, self.kl_tracker = keras.metrics.Mean(name="recon"), keras.metrics.Mean(name="kl")

        def encode(self, x):
            z_mean, z_log_var = self.encoder(x)
            return z_mean, z_log_var

        def call(self, x, training=False):
            z_mean, z_log_var = self.encode(x)
            probs = ops.sigmoid(self.decoder(self.sampling(z_mean, z_log_var)))  # the example's sigmoid output
            return z_mean, z_log_var, probs

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            z_mean, z_log_var, probs = y_pred
            recon = ops.sum(keras.losses.binary_crossentropy(x, probs), axis=(1, 2))  # clipped at 1e-7
            kl = -0.5 * ops.sum(1 + z_log_var - z_mean**2 - ops.exp(z_log_var), axis=1)
            self.recon_tracker.update_state(recon)
            self.kl_tracker.update_state(kl)
            return ops.mean(recon + kl)

        @property
        def metrics(self):
            return super().metrics + [self.recon_tracker, self.kl_tracker]

    return BaselineVAE(latent_dim=2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=1000,
                        help="optimizer steps for every model (default 1000; the chapter trains d = 16 for 4000)")
    parser.add_argument("--steps-per-period", type=int, default=250,
                        help="steps between validation checks (default 250; the chapter validates every 500)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 800 training images, small K")
    parser.add_argument("--out", type=Path, help="also write the JSON lines to this file")
    args = parser.parse_args(argv)

    from vaebook.tf_utils import run_tagged_cells  # before keras: quiet TensorFlow start-up
    import keras

    from vaebook import DEFAULT_SEED
    from vaebook.maths import log_mean_exp
    from vaebook.mnist import load_mnist

    split = load_mnist()
    # the chapter's model code, binarization and data sizes (full mode), executed from the notebook
    ns = run_tagged_cells(NOTEBOOK, ["model-code", "data-code"], split=split,
                          budget=lambda full, quick: full)
    grey_fit, x_val, x_heldout = ns["grey_fit"], ns["x_val"], ns["x_heldout"]
    if args.quick:
        grey_fit, x_val, x_heldout = grey_fit[:800], x_val[:200], x_heldout[::50]
    num_is, num_samples = (50, 100) if args.quick else (500, 1000)
    x_is = x_heldout[np.arange(num_is) * (len(x_heldout) // num_is)]  # evenly spread
    steps_per_period = 5 if args.quick else args.steps_per_period
    num_periods = (20 if args.quick else args.steps) // steps_per_period
    if num_periods < 1:
        parser.error(f"--steps {args.steps} is less than one period of {steps_per_period} steps")

    def fixed_eps(k, n, d):
        return np.random.default_rng(DEFAULT_SEED).standard_normal((k, n, d))

    models = {"book_conv_vae_latent2": lambda: ns["build_vae"](latent_dim=2),
              "book_conv_vae_latent16": lambda: ns["build_vae"](latent_dim=16),
              "keras_example_baseline_latent2": lambda: make_baseline(ns)}
    results = {}
    for name, build in models.items():
        keras.utils.set_random_seed(DEFAULT_SEED)  # the same seed for every model
        start = time.perf_counter()
        vae = build()
        vae.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3))
        period_times = []
        timer = keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs: period_times.append(-time.perf_counter()),
            on_epoch_end=lambda epoch, logs: period_times.__setitem__(-1, period_times[-1] + time.perf_counter()))
        stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=num_periods, restore_best_weights=True)
        stream = ns["DynamicBinarization"](grey_fit, 128, steps_per_period, DEFAULT_SEED)
        history = vae.fit(stream, epochs=num_periods, shuffle=False, validation_data=(x_val,),
                          validation_batch_size=128, callbacks=[timer, stopping], verbose=0).history
        timed = period_times[1:] or period_times
        images_per_s = steps_per_period * 128 * len(timed) / sum(timed)
        d = vae.latent_dim
        elbo = ns["log_weights"](vae, x_heldout, fixed_eps(10, len(x_heldout), d)).mean(axis=0)
        log_w = ns["log_weights"](vae, x_is, fixed_eps(num_samples, num_is, d))
        nll = -log_mean_exp(log_w, axis=0)
        results[name] = {
            "model": name,
            "heldout_is_nll_nats": round(float(nll.mean()), 3),
            "heldout_neg_elbo_nats": round(float(-elbo.mean()), 3),
            "train_images_per_s": round(images_per_s, 1),
            "wall_s": round(time.perf_counter() - start, 1),
            "steps": len(history["loss"]) * steps_per_period,
            "K": num_samples,
            "best_step": (int(np.argmin(history["val_loss"])) + 1) * steps_per_period,
            "num_fit_images": len(grey_fit),
            "data": split.description,
            "num_is_images": num_is,
            "num_heldout_images": len(x_heldout),
        }
        print(json.dumps(results[name]), flush=True)
    ratio = (results["book_conv_vae_latent16"]["train_images_per_s"]
             / results["keras_example_baseline_latent2"]["train_images_per_s"])
    summary = {"throughput_ratio_book16_over_keras_example": round(ratio, 2)}
    print(json.dumps(summary), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(json.dumps(r) + "\n" for r in [*results.values(), summary]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
