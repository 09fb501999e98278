import json, re
nb = json.load(open("/work/main/chapters/mnist_vae.ipynb"))
text = ""
for c in nb["cells"]:
    if c["cell_type"] == "code":
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream": text += "".join(o["text"]) + "\n"
def g(p, n=1, fl=False):
    m = re.search(p, text, re.M)
    assert m, p
    return m.group(n)
V = {}
V["post"], V["prior"] = g(r"posterior draw ([\d.]+), prior draw"), g(r"prior draw ([\d.]+) \(of 784\)")
V["share_held"] = f'{100*float(g(r"share of pixels on: held out ([\d.]+)")):.1f}'
V["share_prior"] = f'{100*float(g(r"prior draws ([\d.]+)\non pixels")):.1f}'
V["stray_held"] = g(r"  held out ([\d.]+), posterior draws"); V["stray_post"] = g(r"posterior draws ([\d.]+), prior draws"); V["stray_prior"] = g(r", prior draws ([\d.]+)\n")
k1 = re.search(r"^\s+1\s+([\d.]+)\s+([\d.]+)$", text, re.M); k1000 = re.search(r"^\s+1000\s+([\d.]+)\s+([\d.]+)$", text, re.M)
V["k1_2"], V["k1_16"], V["k1000_2"], V["k1000_16"] = k1.group(1), k1.group(2), k1000.group(1), k1000.group(2)
V["drop2"] = f"{float(k1.group(1)) - float(k1000.group(1)):.1f}"; V["drop16"] = f"{float(k1.group(2)) - float(k1000.group(2)):.1f}"
V["base"] = g(r"independent pixels \(exact\), test\s+NLL\s+([\d.]+)")
V["nll16"] = g(r"VAE d = 16, test\s+NLL\s+([\d.]+)"); V["nlltrain"] = g(r"training images\s+NLL\s+([\d.]+)")
V["gain"] = g(r"baseline - VAE on the same test images: ([\d.]+)")
V["gap"], V["gapse"] = g(r"generalization gap\): (-?[\d.]+) \+- ([\d.]+)"), g(r"generalization gap\): (-?[\d.]+) \+- ([\d.]+)", 2)
V["behind"] = g(r"this chapter is ([\d.]+) \+-"); V["ratio"] = g(r"\(([\d,]+) times as many\)")
V["fixedcost"] = f"{88.71 - 86.76:.2f}"
m = re.search(r"long run: NLL ([\d.]+) after 500 steps, ([\d.]+) after ([\d,]+), ([\d.]+) after ([\d,]+)\nthis chapter: ([\d.]+) after ([\d,]+)", text)
V["long_first"], V["long_k"], V["long_last"], V["long_last_step"], V["ours_nll"], V["steps16"] = m.group(1), m.group(2), m.group(4), m.group(5), m.group(6), m.group(7)
V["long_gain"] = f"{float(m.group(2)) - float(m.group(4)):.1f}"; V["long_to_burda"] = f"{float(m.group(4)) - 86.76:.1f}"
kl = [float(x) for x in g(r"KL per dimension, sorted \(nats\):\n([\d. ]+)").split()]
V["kl_max"], V["kl_min"] = f"{kl[0]:.2f}", f"{kl[-1]:.2f}"; V["top_half"] = g(r"busiest half of the dimensions: ([\d.]+)")
V["active"] = g(r"d = 16: (\d+) active units"); V["low_kl"] = g(r"\(low_kl\): (\d+)")
V["sd784"], V["rms784"] = g(r"beta = 784: sd of a pixel's mean over z ([\d.]+), RMS distance to the average image ([\d.]+)"), g(r"beta = 784: sd of a pixel's mean over z ([\d.]+), RMS distance to the average image ([\d.]+)", 2)
V["sd1"], V["rms1"] = g(r"beta = 1: sd of a pixel's mean over z ([\d.]+), RMS distance to the average image ([\d.]+)"), g(r"beta = 1: sd of a pixel's mean over z ([\d.]+), RMS distance to the average image ([\d.]+)", 2)
m = re.search(r"(\d+) periods recorded; the validation images picked period (\d+), the choosing half\npicked period (\d+) \(median\), from (\d+) to (\d+); optimism of its reported -ELBO\n(-?[\d.]+) \+- ([\d.]+) nats; standard error of that score\nitself ([\d.]+)", text)
V["opt_periods"], vpick, V["opt_pick"] = m.group(1), m.group(2), m.group(3)
V["opt_range"] = f"{m.group(4)} to {m.group(5)}"; V["opt_same"] = "the one the validation images picked too," if vpick == m.group(3) else f"where the validation images picked period {vpick},"
V["opt"], V["opt_mc"], V["opt_se"] = m.group(6), m.group(7), m.group(8)
for b, key in (("0.5", "05"), ("1", "1"), ("2", "2"), ("784", "784")):
    mm = re.search(r"beta =\s+" + re.escape(b) + r": rate\s+([\d.]+), distortion\s+([\d.]+)", text)
    V["r" + key], V["d" + key] = f"{float(mm.group(1)):.0f}", f"{float(mm.group(2)):.0f}"
print(json.dumps(V, indent=0))
print("KL", kl, "active", V["active"], "low", V["low_kl"])
for line in text.splitlines():
    if "beta" in line or "mean of the two" in line or "ELBO" in line[:40]: print(line)
json.dump(V, open("/tmp/nbedit/values.json", "w"))
