// clvkit: the wasm package under Node. `ingestBasketsFile` streams the baskets file from disk in
// 1 MiB chunks into the wasm basket ingest; `rules` mines the frequent itemsets (FP-growth) and
// derives every rule with mlxtend's eleven metrics, handed over as typed arrays. maxRules is set
// to the largest value allowed so that no rule is cut (the default keeps the best 10,000).
import { runRulesCase, RULE_COLUMNS } from "./rules-common.mjs";

// clvkit's camelCase names of mlxtend's columns, in RULE_COLUMNS order.
const KEYS = ["antecedentSupport", "consequentSupport", "support", "confidence", "lift", "leverage", "conviction", "zhangsMetric", "jaccard", "certainty", "kulczynski"];
if (KEYS.length !== RULE_COLUMNS.length) throw new Error("metric columns out of step");

await runRulesCase("clvkit", {
  // Setup is the import: the Node entry compiles and instantiates the wasm synchronously.
  async setup() {
    const { ingestBasketsFile } = await import("../../js/node.js");
    const { initSync } = await import("../../dist/wasm/clvkit.js");
    return { ingestBasketsFile, wasm: initSync() };
  },
  async job({ ingestBasketsFile }, path, minSupport) {
    const t0 = performance.now();
    const baskets = await ingestBasketsFile(path);
    try {
      const t1 = performance.now();
      if (baskets.report.rejectedRows !== 0) throw new Error(`clvkit rejected ${baskets.report.rejectedRows} baskets`);
      const result = baskets.rules({ minSupport, maxRules: 1_000_000 });
      const t2 = performance.now();
      if (!result.complete || result.matched !== result.rules.antecedents.length) {
        throw new Error(`clvkit's rule table is not complete: ${JSON.stringify(result.warnings)}`);
      }
      const t = result.rules;
      return {
        table: { antecedents: t.antecedents, consequents: t.consequents, columns: KEYS.map((k) => t[k]) },
        itemsets: result.itemsets,
        parts: { ingest: t1 - t0, rules: t2 - t1 },
      };
    } finally {
      baskets.free();
    }
  },
  // Linear memory never shrinks, so its size after the run is the wasm high-water mark.
  extra: ({ wasm }) => ({ wasmMemoryBytes: wasm.memory.buffer.byteLength }),
});
