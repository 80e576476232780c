"""efficient-apriori 2.0.6: apriori(baskets, min_support, min_confidence=0, max_length=no limit)
mines the itemsets (Apriori) and yields every rule of them. Its rules carry counts, from which
support, confidence and lift follow as in mlxtend; its conviction adds 1e-9 to the denominator
(finite where mlxtend's is +∞), so it is not comparable and written as "nan", as are the metrics
it does not compute. Timed: reading and splitting the file (parse) and apriori with its rules
(apriori; lazy rule objects are materialised, and their metrics computed, inside the timing).
Same protocol as rules_common.py."""
import time

from rules_common import label, read_baskets, run

NAN = float("nan")


def setup():
    import importlib.metadata
    from efficient_apriori import apriori
    return {"apriori": apriori, "version": importlib.metadata.version("efficient-apriori")}


def job(m, path, min_support):
    t0 = time.perf_counter()
    baskets = read_baskets(path)
    t1 = time.perf_counter()
    n = len(baskets)
    itemsets, rules = m["apriori"]([tuple(b) for b in baskets], min_support=min_support, min_confidence=0.0, max_length=1_000_000)
    rows = []
    for r in rules:
        rows.append((label(r.lhs), label(r.rhs), [r.count_lhs / n, r.count_rhs / n, r.support, r.confidence, r.lift] + [NAN] * 6))
    t2 = time.perf_counter()
    ms = lambda a, b: (b - a) * 1000
    return {
        "rows": rows,
        "itemsets": sum(len(v) for v in itemsets.values()),
        "parts": {"parse": ms(t0, t1), "apriori": ms(t1, t2)},
        "extra": {"version": m["version"]},
    }


if __name__ == "__main__":
    run("efficient-apriori", setup, job)
