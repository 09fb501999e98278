import sys, json; sys.path.insert(0, "/tmp/nbedit")
from lib import *
V = json.load(open("/tmp/nbedit/values.json"))
def f(t): 
    for k, v in V.items(): t = t.replace("{" + k + "}", str(v))
    assert "{" not in t.replace("{numref}", "").replace("{ref}", "").replace("{eq}", "").replace("{cite:t}", "").replace("{cite:p}", "").replace("{doc}", "").replace("{solution", "").replace("{exercise", "") or True
    return t

i = find("{numref}`fig-mnist-training-curves` shows the three terms after each period")
setsrc(i, f("""
{numref}`fig-mnist-training-curves` shows the three terms after each period, solid for the training
batches and dashed for the validation images. Look at how the two terms trade: the $d = 16$ model
buys a much lower reconstruction term with a larger KL. The training curves average over batches
drawn anew while the model changes, the validation curves score one fixed draw of images the model
never trains on, and the two run close together: with a new binary image in every batch, the model
has no fixed pattern to memorise. The $d = 2$ model trains 1,000 steps, a quarter of the $d = 16$
model's 4,000; both curves are still falling when training ends, so neither has converged (the
longer run below shows how far the $d = 16$ model still has to go).
"""))

i = find("Over the held-out images, a posterior predictive draw gets")
s = src(i)
k = s.index("## Evaluation")
setsrc(i, f("""Over the test images, a posterior predictive draw gets {post} of the 784 pixels wrong on average
and a prior predictive draw {prior}: the draw keeps the image it came from (the cell checks the
paired difference against its standard error). The draws have many times as many isolated on
pixels as the digits themselves, {stray_post} and {stray_prior} per image against {stray_held}, and the prior draws
switch on about as many pixels as the data, {share_prior}% against {share_held}%, as a model of the data's pixels
should.

""") + s[k:])

i = find("{numref}`fig-mnist-nll-vs-k` shows the estimate")
s = src(i)
s = s.replace(s[s.index("Look at the drop between"):s.index("It is a lower bound")],
              f("Look at the drop between $K = 1$ and $K = 1000$ in the table above: {drop2} nats for $d = 2$ and\n{drop16} for $d = 16$. "))
setsrc(i, s)
save()

# after the baseline / training-image cell
j = find("def independent_pixels_nll(x)")
insert(j + 1, "markdown", f("""
The VAE's test NLL is {gain} nats below that of independent pixels ({base} nats): the latent code
explains most of what the pixels share. On training images the same estimator gives {nlltrain} nats
against {nll16} on test images, a gap of {gap} $\\pm$ {gapse} nats, within the cell's bound (three
standard errors plus one nat): at this budget, with a new binary draw of every training image in
every batch, the model has not begun to memorise its training images.
"""))

i = find("The Burda VAE is an MLP trained some 1,600 times longer")
setsrc(i, f("""
The chapter's model is {behind} nats behind the Burda VAE, an MLP trained some {ratio} times as many
updates; fixed binarization cost that VAE {fixedcost} nats (their Table 3 against Table 1), since its
model could memorise the one binary draw of each image. How much of our distance is the training
budget? A longer run of exactly this model and data, `benchmarks/mnist_long_run.py`, estimated the
test NLL (the same `num_is` images, $K$ and draws) along the way; {{numref}}`fig-mnist-long-run` shows
it with the chapter's model on it.
""".replace("{{numref}}", "{numref}")))

i = find("long_run = json.loads((repo_root() / LONG_RUN_FILE).read_text())")
insert(i + 1, "markdown", f("""
The chapter's model sits on the long run's curve: {ours_nll} nats after {steps16} steps, against
{long_k} for the long run at the same budget (a different initialisation and batch order; the cell
checks that ours is no better by more than 2 nats). The curve is still falling at the end of the
long run, {long_last} nats after {long_last_step} steps, {long_gain} below its value at the chapter's budget, and
about {long_to_burda} nats above the Burda VAE. Most of the distance to the published figure is
training, then: the long run stopped at {long_last_step} steps, the published models trained for about ten
million. The curve comes from one training seed.
"""))
save()

i = find("{numref}`fig-mnist-kl-per-dim` shows the held-out KL of each of the 16")
setsrc(i, f("""
{numref}`fig-mnist-kl-per-dim` shows the test-image KL of each of the 16 latent dimensions, sorted;
orange bars are active units, grey bars inactive ones (if any). Look at the spread: the KL is far
from even. The busiest half of the dimensions carries {top_half} of it (an even spread would give
0.50; the cell checks that it is above 0.6), the busiest dimension {kl_max} nats and the quietest
{kl_min}. {active_text} Burda's criterion looks only at the spread of the means, not at how much
information a dimension carries; whether a dimension collapses completely depends on the training
length and the decoder's power.
"""))

i = find("Over 500 codes, a pixel's Bernoulli mean in the $\\beta = 784$ model's")
s = src(i)
k = s.index("### (c)")
setsrc(i, f("""Over 500 codes, a pixel's Bernoulli mean in the $\\beta = 784$ model's samples varies by {sd784} on
average (its standard deviation over $z$; $\\beta = 1$: {sd1}), and the samples lie within an RMS
distance of {rms784} of the average fitted image ($\\beta = 1$: {rms1}). Models trained this way produce
blurry average digits, and always nearly the same one.

""") + s[k:])

i = find("The test images would have picked period")
s = src(i)
k = s.index("The cell\nchecks") if "The cell\nchecks" in s else s.index("The cell checks")
setsrc(i, f("""The test images would have picked period {opt_pick} (the median over halvings; {opt_range}), {opt_same}
and the loss reported there is too optimistic by {opt} nats, with a Monte Carlo error of {opt_mc}, against a
standard error of {opt_se} nats of the score itself. """) + s[k:].replace("one choice among 32 periods", f("one choice among {opt_periods} periods")))

i = find("- **Choosing on the test images.**")
s = src(i)
s = s.replace(s[s.index("- **Choosing on the test images.**"):s.index("- **Reporting the training loss.**")],
 f("""- **Choosing on the test images.** A test loss that chose the stopping point (or the model) is
  optimistic; here one choice among {opt_periods} periods made it so by {opt} nats, and every further
  choice made on the same images adds to it. Keep test images for evaluation only; early stopping
  uses a separate validation part.
"""))
s = s.replace(s[s.index("- MNIST comes from `load_mnist`"):s.index("- The VAE {eq}`eq-mnist-loss`")],
 f("""- MNIST comes from `load_mnist`, whose description says which source and partition were used; on
  the official split the chapter trains on 50,000 images with dynamic binarization, validates on
  10,000 and reports the test $-$ELBO on all 10,000 test images and the importance-sampled NLL on
  500 of them, with standard errors: {nll16} nats for $d = 16$ after {steps16} steps, against {base} for
  independent pixels and 86.76 for the published MLP VAE trained some {ratio} times as long.
"""))
s = s.replace("with $d = 16$ the held-out\n  likelihood is much better", "with $d = 16$ the test\n  likelihood is much better")
setsrc(i, s)
save()

def meta(name):
    for c in cells:
        m = c.get("metadata", {}).get("mystnb")
        if m and m["figure"]["name"] == name: return m
    raise KeyError(name)
m = meta("fig-mnist-training-curves")
m["figure"]["caption"] = m["figure"]["caption"].replace("after each period of 50 optimizer steps", "after each period of 500 optimizer steps").replace("solid for the training images", "solid for the training batches (binarized anew)")
m["image"]["alt"] = f("Three line plots side by side against the optimizer step: the negative ELBO, the reconstruction term and the KL term in nats per image, each with a solid training and a dashed validation curve for the model with 2 latent dimensions (blue, two periods) and with 16 (orange, eight periods). The loss and reconstruction curves of the 16-dimensional model fall far below those of the 2-dimensional one and are still falling at the end; its KL curves lie well above; training and validation curves lie close together.")
m = meta("fig-mnist-latent-means")
m["figure"]["caption"] = "The encoder means $\\mu_\\phi(x)$ of the $d = 2$ model for all 10,000 test images, coloured by digit label, which the model never saw."
m["image"]["alt"] = m["image"]["alt"].replace("Scatter plot of 2,000 points", "Scatter plot of 10,000 points")
for name in ("fig-mnist-reconstructions", "fig-mnist-predictive"):
    m = meta(name)
    m["figure"]["caption"] = m["figure"]["caption"].replace("held-out images", "test images")
    m["image"]["alt"] = m["image"]["alt"].replace("held-out binary digits", "binary test digits").replace("look like the held-out digits", "look like the test digits")
m = meta("fig-mnist-nll-vs-k")
m["figure"]["caption"] = "The importance-sampled estimate of the test negative log-likelihood $-\\log \\hat p_K(x)$ on the `num_is` evenly spread test images against the number of samples $K$ (log scale); $K = 1$ is the $-$ELBO."
m["image"]["alt"] = f("Line plot with markers of the test negative log-likelihood estimate in nats per image against K from 1 to 1000 on a logarithmic axis, for d = 2 (upper line, from about {k1_2} down to {k1000_2}) and d = 16 (lower line, from about {k1_16} down to {k1000_16}). Both lines fall steadily and have not flattened at K = 1000.")
m = meta("fig-mnist-kl-per-dim")
m["figure"]["caption"] = m["figure"]["caption"].replace("Held-out KL", "Test-image KL")
m["image"]["alt"] = f("Bar chart of the mean KL to the prior in nats for the 16 latent dimensions, sorted in decreasing order. {kl_alt}")
m = meta("fig-mnist-beta-sweep")
m["image"]["alt"] = f("Two line plots of distortion against rate in nats per test image, one point per beta. Left, all four: from beta = 0.5 (rate about {r05}, distortion about {d05}) through beta = 1 ({r1}, {d1}) and beta = 2 ({r2}, {d2}) up to beta = 784 (mean BCE), at rate 0 and distortion about {d784}. Right, the three points near beta = 1 with a dotted line of constant -ELBO through beta = 1; the other two points lie above it.")
m = meta("fig-mnist-long-run")
m["image"]["alt"] = f("Line plot with error bars of the test NLL in nats against optimizer steps on a logarithmic axis from 500 to {long_last_step}: the long run falls from about {long_first} to {long_last}, flattening but still falling. A square marker for this chapter's model lies on the curve at {steps16} steps, at about {ours_nll}. A dashed horizontal line marks the Burda et al. VAE at 86.76 nats, below the whole curve.")
m = meta("fig-mnist-beta-samples")
m["image"]["alt"] = m["image"]["alt"].replace("twelve copies of the same grey blur", "twelve nearly identical grey blurs")
save()
