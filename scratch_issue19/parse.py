import json, re, sys
import numpy as np
pats = {
 "draw_pixels_post": r"posterior draw ([\d.]+), prior draw", "draw_pixels_prior": r"prior draw ([\d.]+) \(of 784\)",
 "share_on_held": r"held out ([\d.]+), prior draws", "share_on_prior": r"prior draws ([\d.]+)\n",
 "stray_held": r"held out ([\d.]+), posterior draws", "stray_post": r"posterior draws ([\d.]+), prior", "stray_prior": r"prior draws ([\d.]+)\n*$",
 "gap_se_d2": r"d = 2: -ELBO - NLL on the same images .* = ([\d.]+) standard errors",
 "gap_se_d16": r"d = 16: -ELBO - NLL on the same images .* = ([\d.]+) standard errors",
 "d2_minus_d16_se": r"NLL\(d = 2\) - NLL\(d = 16\) = .* = ([\d.]+) standard errors",
 "nll16": r"VAE d = 16, test\s+NLL\s+([\d.]+)", "nll_train": r"training images\s+NLL\s+([\d.]+)",
 "baseline": r"independent pixels \(exact\), test\s+NLL\s+([\d.]+)",
 "gen_gap": r"generalization gap\): (-?[\d.]+) \+- ([\d.]+)",
 "long_k": r"this chapter: ([\d.]+) after",
 "top_half": r"busiest half of the dimensions: ([\d.]+)",
 "active": r"d = 16: (\d+) active units", "low_kl": r"below 0.1 nats \(low_kl\): (\d+)",
 "kl_sorted": r"KL per dimension, sorted \(nats\):\n([\d. ]+)",
 "tiny_se": r"= ([\d.]+) standard errors; mean posterior sd", "tiny_sd": r"mean posterior sd ([\d.]+)\neps", "good_sd": r"eps sd 1: .* mean posterior sd ([\d.]+)",
 "cost05": r"beta = 0.5\) - -ELBO\(beta = 1\) = ([+-][\d.]+) \+- ([\d.]+)",
 "cost2": r"beta = 2\) - -ELBO\(beta = 1\) = ([+-][\d.]+) \+- ([\d.]+)",
 "both": r"mean of the two: ([+-][\d.]+) \+- ([\d.]+)",
 "rates": r"beta =\s+([\d.]+): rate\s+([\d.]+), distortion\s+([\d.]+)",
 "sd784": r"beta = 784: sd of a pixel's mean over z ([\d.]+), RMS distance to the average image ([\d.]+)",
 "sd1": r"beta = 1: sd of a pixel's mean over z ([\d.]+), RMS distance to the average image ([\d.]+)",
 "optimism": r"optimism of its reported -ELBO\n(-?[\d.]+) \+- ([\d.]+) nats; standard error of that score\nitself ([\d.]+)",
}
for f in sys.argv[1:]:
    d = json.load(open(f))
    print("==", f)
    vals = {}
    for seed, r in d["seeds"].items():
        text = "\n".join(r["cells"])
        print(seed, r["status"], r["wall_s"])
        for k, p in pats.items():
            m = re.findall(p, text, re.M)
            vals.setdefault(k, []).append(m)
    for k, v in vals.items():
        print(f"{k:18s}", " | ".join(str(x) for x in v))
