// CAC and CLV:CAC by acquisition channel: the channels come from the file (the channel of each
// customer's first order); the analyst types what each one cost, and Dataset.acquisition() in the
// worker does the rest. The result also goes out as an "acquisition" event (KPI cards, calculators).
import { h, money, num, scroller, share } from "../app.js";

const BANDS = { losing: "Losing money", weak: "Weak", healthy: "Healthy", underInvesting: "Under-investing" };

function spendField(channel, i) {
  const id = `spend-${i}`;
  const input = h("input", { id, name: "spend", type: "text", inputmode: "decimal", autocomplete: "off", dataset: { channel, field: `spend[${i}].spend` }, "aria-describedby": `${id}-error` });
  const label = h("label", { for: id, class: "visually-hidden" }, `Spend on ${channel}`);
  return { input, cell: h("div", { class: "field" }, label, input, h("p", { class: "error", id: `${id}-error`, hidden: true })) };
}

function table(acq, fields, computed) {
  const heads = ["Channel", "New customers", "Share", "Revenue", "CLV to date", "Spend"];
  if (computed) heads.push("CAC", "CLV:CAC", "Payback (months)");
  return h(
    "table",
    { class: "acquisition-table" },
    h("caption", {}, computed ? `CAC and CLV:CAC by channel, as of ${acq.asOf}` : "New customers by acquisition channel: enter the spend of each"),
    h("thead", {}, h("tr", {}, heads.map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      acq.channels.map((c) =>
        h(
          "tr",
          { dataset: { channel: c.channel } },
          h("th", { scope: "row" }, c.channel),
          h("td", {}, num(c.newCustomers)),
          h("td", {}, share(c.customerShare)),
          h("td", {}, money(c.revenue)),
          h("td", {}, money(c.historicalClv)),
          h("td", { class: "spend-cell" }, fields.get(c.channel)?.cell ?? ""),
          computed ? h("td", {}, money(c.cac)) : null,
          computed ? h("td", {}, c.clvCacRatio === null ? h("span", { class: "na" }, "n/a") : [num(c.clvCacRatio, " : 1"), " ", h("span", { class: `band band-${c.band}` }, BANDS[c.band] ?? c.band)]) : null,
          computed ? h("td", {}, num(c.paybackMonths)) : null,
        ),
      ),
    ),
  );
}

export default {
  id: "acquisition",
  title: "Acquisition: CAC and CLV:CAC by channel",
  wide: true,
  available: (result) => result.acquisition.channels.length > 0,
  render(body, ctx) {
    const first = ctx.result.acquisition;
    const fields = new Map(first.channels.map((c, i) => [c.channel, spendField(c.channel, i)]));
    const margin = h("input", { id: "spend-margin", name: "grossMarginPercent", type: "text", inputmode: "decimal", autocomplete: "off", value: "", "aria-describedby": "spend-margin-hint spend-margin-error", dataset: { field: "grossMarginPercent" } });
    const tableSlot = h("div", {}, scroller("Acquisition by channel", table(first, fields, false)));
    const chartSlot = h("div", {});
    const formError = h("p", { class: "form-error", id: "spend-form-error", role: "alert", hidden: true });
    const submit = h("button", { type: "submit" }, "Compute CAC");
    const form = h(
      "form",
      { class: "spend-form", novalidate: true, "aria-labelledby": "panel-acquisition-title" },
      h("p", { class: "panel-intro" }, "Enter what you spent to acquire customers through each channel over the whole period (leave a channel empty if unknown)."),
      tableSlot,
      h(
        "div",
        { class: "spend-actions" },
        h("div", { class: "field" }, h("label", { for: "spend-margin" }, "Gross margin (%)"), margin, h("p", { class: "hint", id: "spend-margin-hint" }, "Optional, for the payback period."), h("p", { class: "error", id: "spend-margin-error", hidden: true })),
        submit,
      ),
      formError,
    );
    let chart = null;

    function clearErrors() {
      formError.hidden = true;
      for (const p of form.querySelectorAll("p.error")) p.hidden = true;
      for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    }
    function showError(e) {
      const input = form.querySelector(`input[data-field="${e.field}"]`);
      const slot = input && document.getElementById(`${input.id}-error`);
      if (slot) {
        slot.textContent = e.message;
        slot.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.focus();
      } else {
        formError.textContent = e.message;
        formError.hidden = false;
      }
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors();
      const spend = [];
      for (const [channel, { input }] of fields) if (input.value.trim() !== "") spend.push({ channel, spend: input.value.trim() });
      if (spend.length === 0) {
        showError({ field: "spend[0].spend", message: "Enter the spend of at least one channel." });
        return;
      }
      // clvkit numbers the entries it was given: map them back to the inputs.
      spend.forEach((s, i) => (fields.get(s.channel).input.dataset.field = `spend[${i}].spend`));
      const payload = { spend };
      if (margin.value.trim() !== "") payload.grossMarginPercent = margin.value.trim();
      submit.disabled = true;
      try {
        const acq = await ctx.worker.request("acquisition", payload);
        tableSlot.replaceChildren(scroller("Acquisition by channel", table(acq, fields, true)));
        const rated = acq.channels.filter((c) => c.clvCacRatio !== null);
        chart?.destroy();
        chart = null;
        chartSlot.replaceChildren();
        if (rated.length) {
          const best = rated.reduce((a, b) => (b.clvCacRatio > a.clvCacRatio ? b : a));
          chart = ctx.barChart({
            id: "clv-cac",
            title: "CLV:CAC by channel (3 : 1 is the usual benchmark)",
            labels: rated.map((c) => c.channel),
            datasets: [{ label: "CLV:CAC", data: rated.map((c) => c.clvCacRatio) }],
            summary: `${best.channel} has the best ratio, ${best.clvCacRatio.toFixed(2)} to 1.`,
          });
          chartSlot.append(chart.element);
        }
        ctx.events.dispatchEvent(new CustomEvent("acquisition", { detail: { ...acq, grossMarginPercent: payload.grossMarginPercent ?? null } }));
      } catch (e) {
        showError(e);
      } finally {
        submit.disabled = false;
      }
    });

    const notes = [];
    if (first.unattributed.newCustomers > 0) notes.push(`${first.unattributed.newCustomers.toLocaleString()} customers have no channel on their first order and are left out.`);
    body.append(form, chartSlot);
    if (notes.length) body.append(h("p", { class: "panel-note" }, notes.join(" ")));
    return () => chart?.destroy();
  },
};
