"""mlxtend 0.25: TransactionEncoder (a dense boolean DataFrame, as mlxtend's docs use it) →
fpgrowth(use_colnames=True) → association_rules(metric="confidence", min_threshold=0), i.e. every
rule of every frequent itemset. Timed: reading and splitting the file (parse), encoding (encode),
fpgrowth and association_rules (rules). Same protocol as rules_common.py."""
import time

from rules_common import label, read_baskets, run

COLUMNS = ["antecedent support", "consequent support", "support", "confidence", "lift", "leverage",
           "conviction", "zhangs_metric", "jaccard", "certainty", "kulczynski"]


def setup():
    import mlxtend
    import pandas as pd
    from mlxtend.frequent_patterns import association_rules, fpgrowth
    from mlxtend.preprocessing import TransactionEncoder
    return {"pd": pd, "fpgrowth": fpgrowth, "rules": association_rules, "TE": TransactionEncoder, "version": mlxtend.__version__}


def job(m, path, min_support):
    t0 = time.perf_counter()
    baskets = read_baskets(path)
    t1 = time.perf_counter()
    te = m["TE"]()
    df = m["pd"].DataFrame(te.fit(baskets).transform(baskets), columns=te.columns_)
    t2 = time.perf_counter()
    itemsets = m["fpgrowth"](df, min_support=min_support, use_colnames=True)
    t3 = time.perf_counter()
    rules = m["rules"](itemsets, num_itemsets=len(baskets), metric="confidence", min_threshold=0.0)
    t4 = time.perf_counter()
    ants = [label(a) for a in rules["antecedents"]]
    cons = [label(c) for c in rules["consequents"]]
    values = rules[COLUMNS].to_numpy().tolist()
    rows = list(zip(ants, cons, values))
    ms = lambda a, b: (b - a) * 1000
    return {
        "rows": rows,
        "itemsets": len(itemsets),
        "parts": {"parse": ms(t0, t1), "encode": ms(t1, t2), "fpgrowth": ms(t2, t3), "rules": ms(t3, t4)},
        "extra": {"version": m["version"]},
    }


if __name__ == "__main__":
    run("mlxtend", setup, job)
