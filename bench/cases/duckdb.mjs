// DuckDB-WASM under Node (blocking bindings, single-threaded, as in a browser page without
// cross-origin isolation): the CSV is registered from disk (NODE_FS, read on demand, not loaded
// into memory first) and bench/cases/duckdb.sql — read_csv + GROUP BY — computes the summary;
// the Arrow result is turned into the same columns as the other cases.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { runCase } from "./common.mjs";

const require = createRequire(import.meta.url);
const duckdb = require("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs");
const SQL = readFileSync(new URL("./duckdb.sql", import.meta.url), "utf8");

let files = 0;

await runCase("duckdb-wasm", {
  async setup() {
    const dist = dirname(require.resolve("@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs"));
    const bundles = {
      mvp: { mainModule: join(dist, "duckdb-mvp.wasm"), mainWorker: join(dist, "duckdb-node-mvp.worker.cjs") },
      eh: { mainModule: join(dist, "duckdb-eh.wasm"), mainWorker: join(dist, "duckdb-node-eh.worker.cjs") },
    };
    const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
    await db.instantiate();
    db.open({});
    return { db, conn: db.connect() };
  },
  job({ db, conn }, path) {
    const name = `transactions-${files++}.csv`;
    db.registerFileURL(name, path, duckdb.DuckDBDataProtocol.NODE_FS, true);
    try {
      const table = conn.query(SQL.replace("'transactions.csv'", `'${name}'`));
      const column = (n) => table.getChild(n).toArray();
      return {
        customerId: column("customer_id"),
        frequency: column("frequency"),
        recency: column("recency"),
        T: column("T"),
        monetaryValue: column("monetary_value"),
      };
    } finally {
      db.dropFile(name);
    }
  },
  extra: ({ db, conn }) => ({
    wasmMemoryBytes: db.mod.HEAPU8.byteLength,
    version: db.getVersion(),
    threads: Number(conn.query("SELECT current_setting('threads') AS t").getChild("t").get(0)),
  }),
});
