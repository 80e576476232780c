"""What the Python rules cases share: the same protocol as bench/cases/rules-common.mjs.

    python bench/cases/rules_<case>.py --file baskets.txt --support 0.005
           [--warmup small.txt --warmup-support 0.03] [--out rules.tsv]

Setup (imports) is timed separately; the whole job runs once on --warmup (discarded), then once
on --file, timed: from the baskets file on disk to the full rule table. One JSON line on stdout;
with --out the rules as TSV (item lists as sorted names joined by "|", floats by repr, "inf").
"""
import json
import math
import resource
import sys
import time


def args():
    a = sys.argv[1:]
    out = {a[i][2:]: a[i + 1] for i in range(0, len(a), 2)}
    out["support"] = float(out["support"])
    out["warmup-support"] = float(out.get("warmup-support", out["support"]))
    return out


def read_baskets(path):
    """One basket per line, items trimmed, repeats within a basket kept once (order of first use)."""
    baskets = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            items = list(dict.fromkeys(s.strip() for s in line.split(",")))
            items = [s for s in items if s]
            if items:
                baskets.append(items)
    return baskets


def label(items):
    return "|".join(sorted(items))


def num(x):
    if x is None:
        return "nan"
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        return "nan"
    return repr(x)


def run(name, setup, job):
    o = args()
    t0 = time.perf_counter()
    engine = setup()
    setup_ms = (time.perf_counter() - t0) * 1000
    if "warmup" in o:
        job(engine, o["warmup"], o["warmup-support"])
    t1 = time.perf_counter()
    r = job(engine, o["file"], o["support"])
    ms = (time.perf_counter() - t1) * 1000
    rows = r["rows"]  # [(antecedent label, consequent label, [metrics…]), …]
    report = {
        "case": name,
        "support": o["support"],
        "setupMs": setup_ms,
        "ms": ms,
        "parts": r["parts"],
        "itemsets": r["itemsets"],
        "rules": len(rows),
        "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        **r.get("extra", {}),
    }
    if "out" in o:
        with open(o["out"], "w", encoding="utf-8") as f:
            for a, c, metrics in rows:
                f.write(a + "\t" + c + "".join("\t" + num(x) for x in metrics) + "\n")
    print(json.dumps(report), flush=True)
