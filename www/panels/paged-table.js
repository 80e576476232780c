// A table whose rows live in the worker: it filters, sorts and pages them and only the page shown
// crosses to the page. Sort buttons in the column heads (aria-sort), Previous / Next and a status
// line read out politely. The cross-sell panels (rules, "also bought", upsell) are built on it.
import { h } from "../app.js";
import { csvButton } from "../demo/download.js";

/**
 * `kind`: the worker's request for a page ("rules", "similarity", "upsell"), and its exportCsv kind.
 * `columns`: [{ label, sort?, first?, title?, text?, cell(rows, i) → node }]; a column with `sort` (a
 *   sort key of the request) has a sort button, `first` its first direction ("ascending" or the
 *   default "descending"), `title` a tooltip, `text` left-aligned cells; the first column heads
 *   each row.
 * `view`: the first request's { sort, ... }; each request is view + { descending, offset, limit }
 *   + the filters, answered { matched, offset, rows } with `rows` a table of columns.
 * `search`: the label of a text filter (view.query); `thresholds`: [{ key, label, percent?, placeholder }]
 *   number inputs setting view[key] to the value (÷ 100 for a percentage; 0 when empty).
 * `noun`: [singular, plural] for the status line ("1–20 of 54 rules"); `csv`: the export button's label
 *   (the export gets the current view, so the rules CSV follows the thresholds and the order).
 * Returns { element, refresh, cancel }: refresh() loads the first page and resolves once it is drawn.
 */
export function pagedTable({ id, worker, kind, label, caption, columns, view, search, thresholds = [], noun, csv, pageSize = 20 }) {
  const state = { descending: true, offset: 0, limit: pageSize, query: "", ...view };
  const status = h("p", { class: "pager-status", id: `${id}-status`, "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "secondary", id: `${id}-prev` }, "Previous");
  const next = h("button", { type: "button", class: "secondary", id: `${id}-next` }, "Next");
  const tbody = h("tbody", {});
  const heads = columns.map((c) => {
    const content = c.sort ? h("button", { type: "button", class: "sort", dataset: { sort: c.sort }, title: c.title }, c.label) : c.label;
    return h("th", { scope: "col", dataset: { sort: c.sort }, title: c.sort ? null : c.title }, content);
  });
  const threshold = ({ key, percent }) => (value) => {
    const x = Number(value);
    state[key] = value.trim() === "" || !Number.isFinite(x) ? 0 : percent ? x / 100 : x;
    refresh();
  };
  const inputs = [
    ...thresholds.map((t) => debouncedInput({ id: `${id}-${t.key}`, label: t.label, type: "number", attrs: { min: "0", step: "any", inputmode: "decimal", placeholder: t.placeholder }, onChange: threshold(t) })),
    search ? debouncedInput({ id: `${id}-search`, label: search, onChange: (value) => ((state.query = value), refresh()) }) : null,
  ].filter(Boolean);
  let generation = 0;

  async function load() {
    const mine = ++generation;
    const page = await worker.request(kind, { ...state });
    if (mine !== generation) return; // a newer request superseded this one
    for (const th of heads) {
      if (th.dataset.sort === state.sort) th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    }
    const shown = Object.values(page.rows)[0]?.length ?? 0;
    tbody.replaceChildren(
      ...Array.from({ length: shown }, (_, i) =>
        h("tr", {}, columns.map((c, k) => h(k === 0 ? "th" : "td", k === 0 ? { scope: "row" } : { class: c.text ? "text" : null }, c.cell(page.rows, i)))),
      ),
    );
    status.textContent = page.matched === 0
      ? `No ${noun[0]} matches these filters.`
      : `${(page.offset + 1).toLocaleString()}–${(page.offset + shown).toLocaleString()} of ${page.matched.toLocaleString()} ${page.matched === 1 ? noun[0] : noun[1]}`;
    prev.disabled = page.offset === 0;
    next.disabled = page.offset + shown >= page.matched;
  }
  const show = () => load().catch((e) => (status.textContent = e.message));

  for (const th of heads) {
    th.querySelector("button")?.addEventListener("click", () => {
      const key = th.dataset.sort;
      state.descending = state.sort === key ? !state.descending : columns.find((c) => c.sort === key).first !== "ascending";
      state.sort = key;
      state.offset = 0;
      show();
    });
  }
  prev.addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - state.limit);
    show();
  });
  next.addEventListener("click", () => {
    state.offset += state.limit;
    show();
  });

  function refresh() {
    state.offset = 0;
    return show();
  }

  const element = h(
    "div",
    { class: "paged-table", id },
    inputs.length ? h("div", { class: "table-tools" }, inputs.map((f) => f.field)) : null,
    h("div", { class: "table-scroll", role: "region", "aria-label": label, tabindex: "0" }, h("table", {}, h("caption", {}, caption), h("thead", {}, h("tr", {}, heads)), tbody)),
    h("div", { class: "pager" }, prev, status, next),
    h("p", { class: "table-actions" }, csvButton(worker, kind, csv, () => ({ ...state }))),
  );
  return { element, refresh, cancel: () => inputs.forEach((f) => f.cancel()) };
}

/** A text input that calls `onChange(value)` once typing pauses; returns { field, input, cancel }. */
function debouncedInput({ id, label, type = "search", attrs = {}, onChange }) {
  const input = h("input", { id, type, autocomplete: "off", spellcheck: "false", ...attrs });
  let typing;
  input.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => onChange(input.value), 150);
  });
  return { field: h("div", { class: "field" }, h("label", { for: id }, label), input), input, cancel: () => clearTimeout(typing) };
}
