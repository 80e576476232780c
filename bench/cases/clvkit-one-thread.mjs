// clvkit as bench/cases/clvkit.mjs, reading every file in one thread (`parallel: false`): what the
// second thread of the two-part read gives.
process.env.CLVKIT_BENCH_PARALLEL = "0";
await import("./clvkit.mjs");
