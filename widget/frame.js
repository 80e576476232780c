// The iframe page (frame.html): one <clv-calculator> configured from the query string. Every
// parameter that the element takes as an attribute works (mode, currency, locale, fields, theme,
// heading, and field defaults in camelCase or kebab-case). It tells the embedding page its height
// ({ type: "clv-frame-size", height }) and each result ({ type: "clv-change" | "clv-error", detail }).
import "./clv-widget.js";

const el = document.createElement("clv-calculator");
const allowed = new Set(customElements.get("clv-calculator").observedAttributes);
for (const [key, value] of new URLSearchParams(location.search)) {
  const attr = key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
  if (allowed.has(attr)) el.setAttribute(attr, value);
}
document.body.style.margin = "0";
el.style.maxWidth = "none";
document.body.append(el);

const tell = (message) => {
  if (parent !== window) parent.postMessage(message, "*");
};
new ResizeObserver(() => tell({ type: "clv-frame-size", height: Math.ceil(document.documentElement.getBoundingClientRect().height) })).observe(document.body);
for (const type of ["clv-change", "clv-error"]) {
  el.addEventListener(type, (e) => {
    const { error, ...detail } = e.detail; // an Error object cannot be posted
    tell({ type, detail });
  });
}
