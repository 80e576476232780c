// The one error class clvkit throws, and the conversion of whatever the wasm side threw into it.
// Codes are stable and listed in README "Errors" and in index.d.ts.

export class ClvkitError extends Error {
  constructor(code, message, field = null, line = null, column = null, options = undefined) {
    super(message, options);
    this.name = "ClvkitError";
    this.code = code;
    this.field = field ?? null;
    this.line = line ?? null;
    this.column = column ?? null;
  }
}

/** Turns an error thrown by the wasm glue into a ClvkitError (an unexpected one becomes INTERNAL). */
export function toClvkitError(e) {
  if (e instanceof ClvkitError) return e;
  if (e instanceof Error && e.name === "ClvkitError" && typeof e.code === "string") {
    return new ClvkitError(e.code, e.message, e.field, e.line, e.column);
  }
  const detail = e instanceof Error ? e.message : String(e);
  return new ClvkitError("INTERNAL", `clvkit failed unexpectedly (please report this): ${detail}`, null, null, null, { cause: e });
}
