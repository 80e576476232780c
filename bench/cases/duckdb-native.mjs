// Native DuckDB (its Python package, pinned in bench/requirements.txt): bench/cases/duckdb_native.py
// runs bench/cases/duckdb.sql — the same read_csv + GROUP BY as the DuckDB-WASM case — on the file
// from disk, with DuckDB's default threads. This script only relays: the Python process does the
// work, so the report's peak RSS is that process's own.
import { fileURLToPath } from "node:url";
import { python, spawnJson } from "../lib.mjs";

const script = fileURLToPath(new URL("./duckdb_native.py", import.meta.url));
const report = spawnJson(python(), [script, ...process.argv.slice(2)]);
process.stdout.write(JSON.stringify(report) + "\n");
