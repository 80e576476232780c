// The clvkit wasm, fetched and compiled once per page load. The calculators instantiate it on the
// main thread and the analysis worker gets the same compiled WebAssembly.Module in a message, so
// the worker never fetches anything (its CSP forbids it) and the file is downloaded only once.
const url = new URL("./clvkit/dist/wasm/clvkit_bg.wasm", import.meta.url);

async function compile() {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
  // compileStreaming needs the application/wasm type; some static hosts send another one.
  if (response.headers.get("content-type")?.startsWith("application/wasm")) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

export const wasmModule = compile();
