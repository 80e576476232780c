"""lifetimes 0.11.3 for the `models` suite: one fit on a BTYD summary file, timed, in its own process.

    python bench/cases/models_lifetimes.py --file summary.csv --model bgNbd|paretoNbd|bgNbd+gammaGamma [--seed 42]

Reads the summary (customer_id,frequency,recency,T,monetary_value) with pandas (timed apart as
readMs), then times the fit as lifetimes is normally used: one row per customer, penalizer 0,
BetaGeoFitter / ParetoNBDFitter on (frequency, recency, T) and GammaGammaFitter on the customers
with frequency > 0 and a positive mean spend (clvkit's `fit` fits Gamma-Gamma with the transaction
model, so "bgNbd+gammaGamma" times BetaGeoFitter then GammaGammaFitter). ParetoNBDFitter starts
Nelder-Mead from random parameters: numpy is seeded with --seed so a run repeats.

After the timing it evaluates the total log-likelihood at the fitted parameters with lifetimes'
own likelihood code on the unscaled data (as tests/fixtures/make_models_fixture.py does), so it
compares with clvkit's reported log-likelihood. Prints one JSON line:
{case, model, readMs, ms, cpuMs (process CPU time during the fit), customers, fits: {name: {params, logLikelihood}}, maxRssBytes, versions}.
"""

import argparse
import json
import resource
import time
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter  # noqa: E402
import lifetimes  # noqa: E402
import scipy  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    np.random.seed(a.seed)

    t0 = time.perf_counter()
    data = pd.read_csv(a.file)
    read_ms = (time.perf_counter() - t0) * 1000
    f = data["frequency"].to_numpy(dtype=float)
    r = data["recency"].to_numpy(dtype=float)
    T = data["T"].to_numpy(dtype=float)
    m = data["monetary_value"].to_numpy(dtype=float) if "monetary_value" in data else None

    fitted = {}
    t1 = time.perf_counter()
    c1 = time.process_time()
    for name in a.model.split("+"):
        if name == "bgNbd":
            model = BetaGeoFitter(penalizer_coef=0.0)
            model.fit(f, r, T)
        elif name == "paretoNbd":
            model = ParetoNBDFitter(penalizer_coef=0.0)
            model.fit(f, r, T)
        elif name == "gammaGamma":
            keep = (f > 0) & (m > 0)
            model = GammaGammaFitter(penalizer_coef=0.0)
            model.fit(f[keep], m[keep])
        else:
            raise SystemExit(f"unknown model {name}")
        fitted[name] = model
    ms = (time.perf_counter() - t1) * 1000
    cpu_ms = (time.process_time() - c1) * 1000

    fits = {}
    for name, model in fitted.items():
        p = model.params_
        if name == "paretoNbd":
            ll = float(np.sum(ParetoNBDFitter._conditional_log_likelihood(p.values, f, r, T)))
        elif name == "bgNbd":
            ll = -float(model._negative_log_likelihood(np.log(p.values), f, r, T, np.ones(len(f)), 0.0)) * len(f)
        else:
            keep = (f > 0) & (m > 0)
            n = int(keep.sum())
            ll = -float(model._negative_log_likelihood(np.log(p.values), f[keep], m[keep], np.ones(n), 0.0)) * n
        fits[name] = {"params": {k: float(v) for k, v in p.items()}, "logLikelihood": ll}

    print(
        json.dumps(
            {
                "case": "lifetimes",
                "model": a.model,
                "readMs": read_ms,
                "ms": ms,
                "cpuMs": cpu_ms,
                "customers": int(len(f)),
                "fits": fits,
                "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "versions": {"lifetimes": lifetimes.__version__, "numpy": np.__version__, "scipy": scipy.__version__, "pandas": pd.__version__},
            }
        )
    )


if __name__ == "__main__":
    main()
