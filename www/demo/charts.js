// Charts for the dashboard panels, drawn by Chart.js (served from /vendor, loaded by index.html as
// a classic script: `window.Chart`). Colours come from the page's CSS custom properties, so the
// charts follow the light and dark schemes; a chart is also a PNG download and has a text summary
// for screen readers.
import { h } from "../app.js";

const live = new Set();
const dark = window.matchMedia("(prefers-color-scheme: dark)");

function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return {
    text: v("--text"),
    muted: v("--muted"),
    grid: v("--border"),
    surface: v("--surface"),
    series: [1, 2, 3, 4, 5, 6].map((i) => v(`--chart-${i}`)),
  };
}

/** Sets the scheme's colours on a chart's (or a chart config's) options and datasets. */
function paint(options, datasets, p = palette()) {
  options.color = p.text;
  for (const scale of Object.values(options.scales ?? {})) {
    scale.ticks = { ...scale.ticks, color: p.muted };
    scale.grid = { ...scale.grid, color: p.grid };
    if (scale.title) scale.title.color = p.muted;
  }
  datasets.forEach((ds, i) => {
    const c = ds.colourBy ? ds.colourBy.map((k) => p.series[k % p.series.length]) : p.series[i % p.series.length];
    ds.backgroundColor = c;
    ds.borderColor = c;
  });
  return p.surface;
}

function colour(chart) {
  chart.$surface = paint(chart.options, chart.data.datasets);
}

dark.addEventListener("change", () => {
  for (const chart of live) {
    colour(chart);
    chart.update(); // a full update: "none" keeps the bars' cached colours
  }
});

/** Paints the panel colour under the chart, so a PNG export is not transparent. */
const background = {
  id: "clvkitBackground",
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = "destination-over";
    ctx.fillStyle = chart.$surface;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** A vertical dashed line at label `index` of the x axis, with `text` beside it (chart.$marker). */
const marker = {
  id: "clvkitMarker",
  afterDraw(chart) {
    const m = chart.$marker;
    if (!m) return;
    const { ctx, chartArea, scales } = chart;
    const x = scales.x.getPixelForValue(m.index);
    ctx.save();
    ctx.strokeStyle = chart.options.color;
    ctx.fillStyle = chart.options.color;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(x, chartArea.top);
    ctx.lineTo(x, chartArea.bottom);
    ctx.stroke();
    ctx.textBaseline = "top";
    ctx.fillText(m.text, x + 4, chartArea.top + 2);
    ctx.restore();
  },
};

/** Draws `config` in a figure with a caption, a screen-reader summary and a "Download PNG" button. */
function chartFigure({ id, title, summary, height }, config) {
  const canvas = h("canvas", { id: `${id}-canvas`, role: "img", "aria-label": `${title}. ${summary}` });
  const frame = h("div", { class: "chart-frame" }, canvas);
  frame.style.height = `${height}px`;
  const { marker: mark = null, ...chartConfig } = config;
  // Coloured before it is built: one layout and draw instead of two (the first chart of a
  // dashboard is its most expensive main-thread step).
  const surface = paint(chartConfig.options, chartConfig.data.datasets);
  const chart = new window.Chart(canvas, { ...chartConfig, plugins: [background, marker] });
  chart.$marker = mark;
  chart.$surface = surface;
  live.add(chart);
  const download = h("button", { type: "button", class: "link-button", dataset: { png: id } }, "Download PNG");
  download.addEventListener("click", () => {
    const a = h("a", { href: chart.toBase64Image("image/png"), download: `clvkit-${id}.png` });
    a.click();
  });
  const figure = h("figure", { class: "chart" }, frame, h("figcaption", {}, h("span", {}, title), download));
  return { element: figure, chart, destroy: () => (live.delete(chart), chart.destroy()) };
}

const baseOptions = (legend, format, valueAxis) => ({
  animation: false,
  maintainAspectRatio: false,
  responsive: true,
  plugins: {
    legend: { display: legend },
    tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${format(c.parsed[valueAxis])}` } },
  },
});

/**
 * A bar chart in a figure with a caption and a "Download PNG" button.
 * `datasets`: [{ label, data, colourBy? }]; `horizontal` lays bars along the x axis;
 * `percent` formats the value axis as percentages of 1; `summary` is read by screen readers.
 */
export function barChart({ id, title, labels, datasets, horizontal = false, percent = false, summary, height = 280 }) {
  const valueAxis = horizontal ? "x" : "y";
  const format = percent ? (v) => `${Math.round(v * 1000) / 10}%` : (v) => Number(v).toLocaleString();
  return chartFigure({ id, title, summary, height }, {
    type: "bar",
    data: { labels, datasets: datasets.map((d) => ({ ...d, borderWidth: 0 })) },
    options: {
      ...baseOptions(datasets.length > 1, format, valueAxis),
      indexAxis: horizontal ? "y" : "x",
      scales: { [valueAxis]: { beginAtZero: true, ticks: { callback: format } }, [horizontal ? "y" : "x"]: {} },
    },
  });
}

/**
 * A line chart (one line per dataset, `dashed` ones dashed) in the same figure; `xTitle`/`yTitle`
 * name the axes and `marker` ({ index, text }) draws a labelled vertical line at an x label.
 */
export function lineChart({ id, title, labels, datasets, xTitle, yTitle, marker = null, summary, height = 280 }) {
  const format = (v) => Number(v).toLocaleString(undefined, { maximumFractionDigits: 2 });
  return chartFigure({ id, title, summary, height }, {
    type: "line",
    marker,
    data: { labels, datasets: datasets.map(({ dashed, ...d }) => ({ ...d, borderWidth: 2, pointRadius: 2, borderDash: dashed ? [6, 4] : [] })) },
    options: {
      ...baseOptions(true, format, "y"),
      scales: {
        x: { title: { display: Boolean(xTitle), text: xTitle } },
        y: { beginAtZero: true, ticks: { callback: format }, title: { display: Boolean(yTitle), text: yTitle } },
      },
    },
  });
}

let warming = null;

/**
 * Draws a throwaway bar chart, then a line chart, off screen, in small tasks (build, then lay out
 * and draw), and removes them: Chart.js's first chart on a page runs cold code and would otherwise be the longest
 * main-thread task of the dashboard's drawing. Called when an analysis starts (the main thread is
 * idle while the worker works); resolves once both are gone (at once after the first time).
 */
export function warmUpCharts() {
  warming ??= (async () => {
    if (!window.Chart) return;
    for (const make of [barChart, lineChart]) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const chart = make({ id: "warmup", title: "", labels: ["a", "b", "c"], datasets: [{ label: "a", data: [1, 3, 2] }], summary: "" });
      const holder = h("div", { class: "chart-warmup", "aria-hidden": "true" }, chart.element);
      await new Promise((resolve) => setTimeout(resolve, 0)); // built detached; laid out and drawn once attached
      document.body.append(holder);
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))); // attached, resized, drawn
      chart.destroy();
      holder.remove();
    }
  })().catch(() => {}); // only an optimisation
  return warming;
}

/** How many charts are alive (for the tests: a replaced dashboard leaves none behind). */
export const liveCharts = () => live.size;
