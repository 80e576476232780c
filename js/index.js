// Browser and bundler entry: `await init()` loads clvkit_bg.wasm (next to the glue by default) once.
// Every calculator throws ClvkitError("NOT_INITIALIZED") until then.
import initGlue, * as glue from "../dist/wasm/clvkit.js";
import { attach } from "./core.js";

export * from "./core.js";

let loading = null;

export function init(source) {
  if (loading === null) {
    const options = source === undefined ? undefined : { module_or_path: source };
    loading = initGlue(options).then(
      () => attach(glue),
      (e) => {
        loading = null; // let a later call retry, e.g. after a network hiccup
        throw e;
      },
    );
  }
  return loading;
}

export default init;
