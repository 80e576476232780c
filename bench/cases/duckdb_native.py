"""The ingest benchmark's native DuckDB case (bench/cases/duckdb-native.mjs runs it).

    python duckdb_native.py --file data.csv [--warmup small.csv] [--out summary.tsv]

DuckDB's Python package (native, multi-threaded as it comes) runs bench/cases/duckdb.sql, the
same read_csv + GROUP BY as the DuckDB-WASM case, on the file from disk, and fetches the result
as NumPy columns. Like every case (bench/cases/common.mjs): setup (importing duckdb, connecting)
is timed apart; the job runs once on --warmup (discarded), then once on --file, timed from the
query to having the summary columns; one JSON line { case, setupMs, ms, customers, maxRssBytes,
version, threads } on stdout (maxRssBytes: this process's peak RSS); --out writes the summary as
TSV (id, frequency, recency, T, monetary value; floats in their shortest round-trip form).
"""
import json
import pathlib
import resource
import sys
import time

SQL = (pathlib.Path(__file__).parent / "duckdb.sql").read_text()


def args(argv):
    out = {}
    for flag, value in zip(argv[::2], argv[1::2]):
        if not flag.startswith("--"):
            raise SystemExit(f"unexpected argument {flag}")
        out[flag[2:]] = value
    if "file" not in out:
        raise SystemExit("--file is required")
    return out


def job(conn, path):
    quoted = "'" + str(path).replace("'", "''") + "'"
    result = conn.execute(SQL.replace("'transactions.csv'", quoted)).fetchnumpy()
    return {k: result[k] for k in ("customer_id", "frequency", "recency", "T", "monetary_value")}


def main():
    opts = args(sys.argv[1:])
    t0 = time.perf_counter()
    import duckdb

    conn = duckdb.connect()
    setup_ms = (time.perf_counter() - t0) * 1000
    if "warmup" in opts:
        job(conn, opts["warmup"])
    t1 = time.perf_counter()
    s = job(conn, opts["file"])
    ms = (time.perf_counter() - t1) * 1000
    report = {
        "case": "duckdb-native",
        "setupMs": setup_ms,
        "ms": ms,
        "customers": len(s["customer_id"]),
        "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "version": duckdb.__version__,
        "threads": int(conn.execute("SELECT current_setting('threads')").fetchone()[0]),
    }
    if "out" in opts:
        with open(opts["out"], "w") as f:
            for row in zip(*(s[k].tolist() for k in ("customer_id", "frequency", "recency", "T", "monetary_value"))):
                f.write("\t".join(repr(v) if isinstance(v, float) else str(v) for v in row) + "\n")
    sys.stdout.write(json.dumps(report) + "\n")


main()
