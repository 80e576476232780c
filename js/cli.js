#!/usr/bin/env node
// clvkit command-line interface.
//
//   clvkit calc <kind> --<option> <value> ... [--json]
//
// Everything the CLI knows is in three tables below:
//   FIELDS       every calculator input: its type and meaning (options are the kebab-case names)
//   CALCULATORS  every `calc` kind: the library function, its fields and its table output
//   COMMANDS     every subcommand (add `summary`, `kpis`, `fit`, ... here)
// Help text is generated from these tables; nothing is written twice.
//
// Exit codes: 0 ok, 1 a ClvkitError (bad input) or other failure, 2 a usage error.

import { closeSync, openSync, readFileSync, readSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PROG = "clvkit";

// ---------------------------------------------------------------------------
// Inputs

/**
 * Value types: how an option's text becomes the library's input.
 * Money and decimals stay strings (exact); the library parses and validates them.
 */
const TYPES = {
  money: { meta: "<amount>", convert: (s) => s },
  decimal: { meta: "<number>", convert: (s) => s },
  count: { meta: "<whole>", convert: (s) => s },
  // OutputOptions.decimals is a JS number in the API.
  int: { meta: "<0-10>", convert: (s) => (/^[+-]?\d+$/.test(s.trim()) ? Number(s) : s) },
  channel: { meta: "<name:spend:customers>", convert: parseChannel },
};

/** Every input field of every calculator, by its API (camelCase) name. */
const FIELDS = {
  averageOrderValue: { type: "money", help: "Average order value (revenue per purchase)." },
  purchaseFrequency: { type: "decimal", help: "Purchases per customer per year (or --purchase-interval-months)." },
  purchaseIntervalMonths: { type: "decimal", help: "One purchase every N months; frequency = 12 / N (or --purchase-frequency)." },
  lifespanYears: { type: "decimal", help: "Customer lifespan in years (or --annual-churn-rate)." },
  annualChurnRate: { type: "decimal", help: "Share of customers lost per year, in (0, 1]; lifespan = 1 / churn (or --lifespan-years)." },
  multiplier: { type: "decimal", help: "Units per customer multiplying the value (e.g. vehicles). Default 1." },
  grossMarginPercent: { type: "decimal", help: "Gross margin in percent, 0-100 (or --cost-of-goods-per-order)." },
  costOfGoodsPerOrder: { type: "money", help: "Cost of goods sold per order (or --gross-margin-percent)." },
  yearlyServiceCost: { type: "money", help: "Cost to serve one customer for a year. Default 0." },
  cac: { type: "money", help: "Customer acquisition cost, subtracted once. Default 0." },
  changePercent: { type: "decimal", help: "Improvement tried on each lever, in percent (> 0, <= 1000); CAC is lowered by it. Default 10." },
  marginPerPeriod: { type: "money", help: "Margin (or revenue) per customer per period." },
  retentionRate: { type: "decimal", help: "Share of customers kept from one period to the next, in [0, 1] (or --churn-rate)." },
  churnRate: { type: "decimal", help: "Share of customers lost per period, in (0, 1] (or --retention-rate)." },
  discountRate: { type: "decimal", help: "Discount rate per period, >= 0. Default 0." },
  horizonPeriods: { type: "count", help: "Also compute the discounted sum over this many periods (1-10000)." },
  spend: { type: "money", help: "Total acquisition spend (with --new-customers; or use --channel)." },
  newCustomers: { type: "count", help: "New customers acquired with that spend." },
  channels: {
    type: "channel",
    option: "channel",
    repeatable: true,
    help: "One acquisition channel as name:spend:newCustomers; repeat for each channel.",
  },
  clv: { type: "money", help: "Customer lifetime value." },
  monthlyRevenuePerCustomer: { type: "money", help: "Revenue per customer per month, for the payback period." },
  decimals: { type: "int", help: "Decimal places of money outputs, 0-10. Default 2." },
};

/** Per-calculator wording where a field means something slightly different. */
const RATIO_OVERRIDES = {
  cac: "Customer acquisition cost.",
  grossMarginPercent: "Gross margin in percent, 0-100, for the payback period. Default 100.",
};

const PURCHASE_PATTERN = [
  "averageOrderValue",
  "purchaseFrequency",
  "purchaseIntervalMonths",
  "lifespanYears",
  "annualChurnRate",
  "multiplier",
];
const PROFIT_FIELDS = [...PURCHASE_PATTERN, "grossMarginPercent", "costOfGoodsPerOrder", "yearlyServiceCost", "cac"];

/** camelCase -> kebab-case: averageOrderValue -> average-order-value. */
export function kebab(name) {
  return name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}
function optionName(field) {
  return FIELDS[field].option ?? kebab(field);
}

function parseChannel(text) {
  // name:spend:newCustomers, split from the right so the name may contain ':'.
  const parts = text.split(":");
  if (parts.length < 3) {
    throw new UsageError(`--channel expects name:spend:newCustomers, got '${text}'`, "e.g. --channel 'paid search:4000:50'");
  }
  const newCustomers = parts.pop();
  const spend = parts.pop();
  return { channel: parts.join(":"), spend, newCustomers };
}

// ---------------------------------------------------------------------------
// Output helpers

const pct = (x) => (x == null ? "-" : `${Number((x * 100).toFixed(1))}%`);
const num = (x) => (x == null ? "-" : trimNum(x));
/** A float for people: at most 4 decimals, no trailing zeros. */
function trimNum(x) {
  if (typeof x !== "number") return String(x);
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toFixed(4)));
}
const orDash = (x) => (x == null ? "-" : String(x));

/** Align rows of cells into columns. `right` lists the column indexes to right-align. */
export function formatTable(rows, { header, right = [] } = {}) {
  const all = header ? [header, ...rows] : rows;
  const widths = [];
  for (const row of all) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, String(c).length)));
  const line = (row) =>
    row
      .map((c, i) => {
        const s = String(c);
        if (i === row.length - 1 && !right.includes(i)) return s;
        return right.includes(i) ? s.padStart(widths[i]) : s.padEnd(widths[i]);
      })
      .join("  ")
      .trimEnd();
  const out = [];
  if (header) {
    out.push(line(header));
    out.push(widths.map((w) => "-".repeat(w)).join("  "));
  }
  for (const r of rows) out.push(line(r));
  return out.join("\n");
}
/** A two-column (label, value) table. */
const pairs = (rows) => formatTable(rows.filter(Boolean));

/** "a = x; b = y" -> one formula per line. */
function formulaBlock(formula, label = "Formula") {
  const parts = String(formula).split(/;\s+/);
  return parts.length === 1 ? `\n\n${label}: ${parts[0]}` : `\n\n${label}s:\n` + parts.map((p) => `  ${p}`).join("\n");
}

function warningsBlock(warnings) {
  if (!warnings || warnings.length === 0) return "";
  return "\n\nWarnings:\n" + warnings.map((w) => `  [${w.code}]${w.field ? " " + w.field + ":" : ""} ${w.message}`).join("\n");
}

// ---------------------------------------------------------------------------
// Calculators

/**
 * Each `calc` kind: the library function it calls, the fields it accepts (in help order)
 * and how its result is shown as text.
 */
const CALCULATORS = {
  simple: {
    fn: "simpleClv",
    summary: "Revenue CLV = average order value x purchases per year x lifespan.",
    fields: [...PURCHASE_PATTERN, "decimals"],
    example: "--average-order-value 75 --purchase-frequency 3 --lifespan-years 4",
    text: (r) =>
      pairs([
        ["CLV", r.clv],
        ["Annual value", r.annualValue],
        ["Purchase frequency", r.inputs.purchaseFrequency + " / year"],
        ["Lifespan", r.inputs.lifespanYears + " years"],
      ]) + formulaBlock(r.formula),
  },
  profit: {
    fn: "profitClv",
    summary: "Profit CLV: gross margin, cost to serve and CAC taken off revenue CLV.",
    fields: [...PROFIT_FIELDS, "decimals"],
    example: "--average-order-value 75 --purchase-frequency 3 --lifespan-years 4 --gross-margin-percent 40 --cac 120",
    text: (r) =>
      pairs([
        ["Revenue CLV", r.revenueClv],
        ["Gross margin", r.grossMarginPercent + "%"],
        ["Gross profit per order", r.grossProfitPerOrder],
        ["Gross profit CLV", r.grossProfitClv],
        ["Service cost", r.serviceCost],
        ["Profit CLV", r.profitClv],
        ["Net CLV (after CAC)", r.netClv],
      ]) + formulaBlock(r.formula),
  },
  retention: {
    fn: "retentionClv",
    summary: "Retention CLV: margin per period with retention (or churn) and an optional discount rate.",
    fields: ["marginPerPeriod", "retentionRate", "churnRate", "discountRate", "horizonPeriods", "decimals"],
    example: "--margin-per-period 100 --retention-rate 0.8 --discount-rate 0.1 --horizon-periods 10",
    text: (r) =>
      pairs([
        ["Retention rate", num(r.retentionRate)],
        ["Churn rate", num(r.churnRate)],
        ["Discount rate", num(r.discountRate)],
        ["Expected lifetime", r.expectedLifetimePeriods == null ? "unbounded" : num(r.expectedLifetimePeriods) + " periods"],
        ["Undiscounted CLV", orDash(r.undiscountedClv)],
        ["CLV, first payment now", r.clvFirstPaymentNow],
        ["CLV, future payments only", r.clvFuturePaymentsOnly],
        r.horizon && [`CLV over ${r.horizon.periods} periods`, r.horizon.clv],
      ]) +
      "\n\nFormulas:\n" +
      formatTable(
        [
          ["undiscounted", r.formulas.undiscountedClv],
          ["first payment now", r.formulas.clvFirstPaymentNow],
          ["future payments only", r.formulas.clvFuturePaymentsOnly],
          r.horizon && ["horizon", r.formulas.horizon],
        ]
          .filter(Boolean)
          .map(([a, b]) => ["  " + a, b]),
      ),
  },
  cac: {
    fn: "cac",
    summary: "Customer acquisition cost, per channel and blended.",
    fields: ["spend", "newCustomers", "channels", "decimals"],
    example: "--channel 'paid search:4000:50' --channel social:2500:40 --channel referral:500:25",
    text: (r) => {
      let out = pairs([
        ["Blended CAC", r.blended.cac],
        ["Total spend", r.blended.spend],
        ["New customers", String(r.blended.newCustomers)],
      ]);
      if (r.channels.length > 0) {
        out +=
          "\n\n" +
          formatTable(
            r.channels.map((c) => [c.channel, c.spend, String(c.newCustomers), orDash(c.cac), pct(c.spendShare), pct(c.customerShare)]),
            { header: ["Channel", "Spend", "Customers", "CAC", "Spend share", "Customer share"], right: [1, 2, 3, 4, 5] },
          );
      }
      return out + formulaBlock(r.formula) + warningsBlock(r.warnings);
    },
  },
  ratio: {
    fn: "clvCacRatio",
    summary: "CLV:CAC ratio with its health band and, given monthly revenue, the CAC payback period.",
    fields: ["clv", "cac", "monthlyRevenuePerCustomer", "grossMarginPercent", "decimals"],
    overrides: RATIO_OVERRIDES,
    example: "--clv 2500 --cac 800 --monthly-revenue-per-customer 100 --gross-margin-percent 60",
    text: (r) =>
      pairs([
        ["CLV:CAC", num(r.ratio)],
        ["Band", r.band],
        ["Verdict", r.verdict],
        r.payback && ["Payback", num(r.payback.months) + " months"],
        r.payback && ["Monthly gross profit", r.payback.monthlyGrossProfit],
        r.payback && ["Within 12 months", r.payback.withinTwelveMonths ? "yes" : "no"],
      ]) + formulaBlock(r.formula),
  },
  "what-if": {
    fn: "whatIf",
    aliases: ["whatif", "whatIf"],
    summary: "What-if levers: the net CLV gained by improving each lever by a percentage.",
    fields: [...PROFIT_FIELDS, "changePercent", "decimals"],
    example: "--average-order-value 75 --purchase-frequency 3 --lifespan-years 4 --gross-margin-percent 40 --cac 120",
    text: (r) =>
      pairs([
        ["Base net CLV", r.base.netClv],
        ["Base profit CLV", r.base.profitClv],
        ["Base CLV:CAC", num(r.base.clvCacRatio)],
        ["Change tried", num(r.changePercent) + "%"],
      ]) +
      "\n\n" +
      formatTable(
        r.levers.map((l) => [
          l.label,
          `${l.from} -> ${l.to}`,
          l.netClv,
          l.delta,
          l.deltaPercent == null ? "-" : num(l.deltaPercent) + "%",
          num(l.clvCacRatio),
        ]),
        { header: ["Lever", "Change", "Net CLV", "Gain", "Gain %", "CLV:CAC"], right: [2, 3, 4, 5] },
      ) +
      formulaBlock(r.base.formula),
  },
};

function findCalculator(name) {
  if (Object.hasOwn(CALCULATORS, name)) return [name, CALCULATORS[name]];
  for (const [k, c] of Object.entries(CALCULATORS)) if (c.aliases?.includes(name)) return [k, c];
  return [null, null];
}

// ---------------------------------------------------------------------------
// Argument parsing

class UsageError extends Error {
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}

/** Levenshtein distance, for "did you mean". */
function distance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}
function suggest(word, candidates) {
  let best = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = distance(word, c);
    if (dd < bestD) [best, bestD] = [c, dd];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

/**
 * Parse `--name value`, `--name=value` and flags.
 * spec: { options: Map(optionName -> {field, repeatable}), flags: Set(flagName) }
 */
function parseOptions(argv, spec, context) {
  const values = {};
  const flags = new Set();
  const positionals = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h") {
      flags.add("help");
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") {
      positionals.push(arg);
      continue;
    }
    let name = arg.slice(2);
    let value;
    const eq = name.indexOf("=");
    if (eq >= 0) [name, value] = [name.slice(0, eq), name.slice(eq + 1)];
    if (spec.flags.has(name)) {
      if (value !== undefined) throw new UsageError(`--${name} takes no value`, `Try '${context} --help'.`);
      flags.add(name);
      continue;
    }
    const opt = spec.options.get(name);
    if (!opt) {
      const guess = suggest(name, [...spec.options.keys(), ...spec.flags]);
      throw new UsageError(
        `unknown option --${name} for '${context}'`,
        (guess ? `Did you mean --${guess}? ` : "") + `Try '${context} --help'.`,
      );
    }
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`missing value for --${name}`, `e.g. --${name} ${opt.meta ?? TYPES[FIELDS[opt.field].type].meta}`);
      }
      value = next;
      i++;
    }
    if (opt.repeatable) (values[opt.field] ??= []).push(value);
    else if (Object.hasOwn(values, opt.field)) throw new UsageError(`--${name} given more than once`, `Give --${name} once.`);
    else values[opt.field] = value;
  }
  return { values, flags, positionals };
}

function calculatorSpec(calc) {
  const options = new Map();
  for (const field of calc.fields) options.set(optionName(field), { field, repeatable: !!FIELDS[field].repeatable });
  return { options, flags: new Set(["json", "help"]) };
}

/** Option text -> library input object. */
function buildInput(calc, values) {
  const input = {};
  for (const field of calc.fields) {
    if (!Object.hasOwn(values, field)) continue;
    const { convert } = TYPES[FIELDS[field].type];
    const v = values[field];
    input[field] = Array.isArray(v) ? v.map(convert) : convert(v);
  }
  return input;
}

// ---------------------------------------------------------------------------
// Help

function optionRows(calc) {
  return calc.fields.map((f) => {
    const def = FIELDS[f];
    return [`  --${optionName(f)} ${TYPES[def.type].meta}`, calc.overrides?.[f] ?? def.help];
  });
}
const optionLines = (calc) => formatTable(optionRows(calc));

function kindHelp(kind, calc) {
  const rows = [
    ...optionRows(calc),
    ["  --json", "Print the result object as JSON instead of a table."],
    ["  -h, --help", "Show this help."],
  ];
  return (
    `${kind}: ${calc.summary}\n\n` +
    `Usage: ${PROG} calc ${kind} [options] [--json]\n\n` +
    `Options:\n${formatTable(rows)}\n\n` +
    `Example:\n  ${PROG} calc ${kind} ${calc.example}\n`
  );
}

function calcHelp() {
  const kinds = Object.keys(CALCULATORS);
  let out =
    `Usage: ${PROG} calc <kind> --<option> <value> ... [--json]\n\n` +
    `Run one calculator. Amounts are exact decimal strings ("1234.50" or "1,234.50").\n\n` +
    `Kinds:\n` +
    formatTable(kinds.map((k) => [`  ${k}`, CALCULATORS[k].summary])) +
    "\n";
  for (const k of kinds) out += `\nOptions for '${k}':\n${optionLines(CALCULATORS[k])}\n`;
  out += `\nEvery kind also takes --json (print JSON) and --help.\nMore: ${PROG} calc <kind> --help\n`;
  return out;
}

function mainHelp(version) {
  return (
    `${PROG} ${version}: customer lifetime value, CAC and CLV:CAC, computed locally with exact decimals.\n\n` +
    `Usage: ${PROG} <command> [options]\n\n` +
    `Commands:\n` +
    formatTable(Object.entries(COMMANDS).map(([name, c]) => [`  ${name} ${c.args ?? ""}`.trimEnd(), c.summary])) +
    `\n\nGlobal options:\n` +
    formatTable([
      ["  -h, --help", "Show help (also: clvkit <command> --help)."],
      ["  -V, --version", "Print the version."],
    ]) +
    "\n\n" +
    Object.values(COMMANDS)
      .map((c) => c.help())
      .join("\n")
  );
}

// ---------------------------------------------------------------------------
// Commands

let api;
/** The Node entry, loaded only when a command needs the wasm (help works without a build). */
async function loadApi() {
  api ??= await import("./node.js");
  return api;
}

async function runCalc(argv, io) {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    if (argv.length === 0) throw new UsageError("missing calculator kind", `Kinds: ${Object.keys(CALCULATORS).join(", ")}. Try '${PROG} calc --help'.`);
    io.out(calcHelp());
    return 0;
  }
  const [kindArg, ...rest] = argv;
  const [kind, calc] = findCalculator(kindArg);
  if (!calc) {
    const guess = suggest(kindArg, Object.keys(CALCULATORS));
    throw new UsageError(
      `unknown calculator kind '${kindArg}'`,
      (guess ? `Did you mean '${guess}'? ` : "") + `Kinds: ${Object.keys(CALCULATORS).join(", ")}.`,
    );
  }
  const context = `${PROG} calc ${kind}`;
  const { values, flags, positionals } = parseOptions(rest, calculatorSpec(calc), context);
  if (flags.has("help")) {
    io.out(kindHelp(kind, calc));
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`, `Options start with --. Try '${context} --help'.`);
  const input = buildInput(calc, values);
  const lib = await loadApi();
  const result = lib[calc.fn](input);
  io.out(flags.has("json") ? JSON.stringify(result, null, 2) + "\n" : calc.text(result) + "\n");
  return 0;
}

// ---------------------------------------------------------------------------
// File commands: summary, kpis, cohorts, segments (one ingest, one analysis)

/** How a transactions file is read (every file command): name -> [meta, help, where it goes, key]. */
const INGEST_OPTIONS = {
  delimiter: ["<,|;|tab|pipe>", "Field delimiter (default: sniffed).", "ingest"],
  "date-format": ["<auto|ymd|dmy|mdy>", "Order of slash dates; needed only when the file cannot tell.", "ingest", "dateFormat"],
  "decimal-separator": ["<auto|dot|comma>", "Money format: dot = 1,234.50; comma = 1.234,50.", "ingest", "decimalSeparator"],
  returns: ["<net|drop>", "Returns and cancellations: net them against revenue (default) or drop them.", "ingest"],
  map: ["<role=column>", "Map a column explicitly, e.g. --map customerId=Client or --map date=3 (0-based); repeatable.", "mapping"],
};
/** Options of summary, kpis, cohorts and segments: the ingest's, and the analysis window. */
const FILE_OPTIONS = {
  ...INGEST_OPTIONS,
  unit: ["<days|weeks|months>", "Unit of recency and T (default days).", "analysis"],
  "observation-end": ["<YYYY-MM-DD>", "End of the observation window (default: the last transaction date).", "analysis", "asOf"],
};
/** The summary command's: the file options, and which columns to print. */
const SUMMARY_OPTIONS = {
  ...FILE_OPTIONS,
  columns: ["<name,...>", "Only these columns after customer_id, e.g. frequency,recency,T,monetary_value (default: all).", "analysis"],
};
const FILE_FLAGS = { strict: "Stop at the first bad row instead of skipping it.", json: "Print JSON instead of CSV or a table.", help: "Show this help." };

function fileHelp(name, command) {
  const rows = Object.entries(command.options ?? FILE_OPTIONS).map(([o, [meta, help]]) => [`  --${o} ${meta}`, help]);
  rows.push(...Object.entries(command.flags ?? FILE_FLAGS).map(([f, help]) => [`  --${f}`, help]));
  return `${name}: ${command.summary}\n\nUsage: ${PROG} ${name} ${command.usage ?? "FILE [options]"}\n\nOptions:\n${formatTable(rows)}\n\n` +
    `Rows read, accepted and rejected (with the first examples) are reported on stderr.\n`;
}

function fileArgs(name, argv, fileOptions = FILE_OPTIONS, fileFlags = FILE_FLAGS) {
  const options = Object.entries(fileOptions).map(([o, [meta]]) => [o, { field: o, meta, repeatable: o === "map" }]);
  const spec = { options: new Map(options), flags: new Set(Object.keys(fileFlags)) };
  const context = `${PROG} ${name}`;
  const { values, flags, positionals } = parseOptions(argv, spec, context);
  if (flags.has("help")) return { help: true };
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one FILE, got ${positionals.length}` : "missing FILE", `Try '${context} --help'.`);
  const ingest = {};
  const analysis = {};
  for (const [option, value] of Object.entries(values)) {
    const [, , where, key] = fileOptions[option];
    if (where === "mapping") {
      ingest.mapping = {};
      for (const pair of [].concat(value)) {
        const eq = pair.indexOf("=");
        if (eq < 1) throw new UsageError(`--map expects role=column, got '${pair}'`, "e.g. --map customerId=Client");
        const column = pair.slice(eq + 1);
        ingest.mapping[pair.slice(0, eq)] = column === "" ? null : /^\d+$/.test(column) ? Number(column) : column;
      }
    } else {
      (where === "ingest" ? ingest : analysis)[key ?? option] = value;
    }
  }
  if (flags.has("strict")) ingest.strict = true;
  return { file: positionals[0], ingest, analysis, json: flags.has("json"), flags, given: Object.keys(values) };
}

function reportRows(report, io) {
  io.err(`${PROG}: read ${report.totalRows} rows: ${report.acceptedRows} accepted, ${report.rejectedRows} rejected` +
    (report.returnRows ? ` (${report.returnRows} returns, ${report.returns === "drop" ? "dropped" : "netted"})` : "") +
    (report.failedRows ? ` (${report.failedRows} failed payments left out)` : "") + "\n");
  for (const e of report.errorExamples.slice(0, 5)) {
    io.err(`  line ${e.line}${e.column ? `, column ${e.column}${e.header ? ` (${e.header})` : ""}` : ""}: [${e.code}] ${e.message}\n`);
  }
  if (report.rejectedRows > 5) io.err(`  (first 5 of ${report.rejectedRows} shown; by code: ${JSON.stringify(report.rejectedByCode)})\n`);
  for (const w of report.warnings ?? []) io.err(`  warning [${w.code}]: ${w.message}\n`);
}

/** Typed arrays become plain arrays so JSON.stringify keeps them as lists. */
const jsonReplacer = (_key, value) => (ArrayBuffer.isView(value) ? Array.from(value) : value);
/**
 * A CSV cell: numbers as the library's CSV writes them (csvNumber); text a spreadsheet would run as
 * a formula gets a leading apostrophe, as in the library's CSV (OWASP's advice).
 */
const csvCell = (v) => {
  if (typeof v === "number") return csvNumber(v);
  const s = /^[=+\-@\t\r|]/.test(String(v)) ? `'${v}` : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
const csv = (rows) => rows.map((r) => r.map(csvCell).join(",")).join("\n") + "\n";

const FILE_COMMANDS = {
  summary: {
    summary: "Per-customer table as CSV: customer_id,frequency,recency,T,monetary_value, then orders and revenue.",
    options: SUMMARY_OPTIONS,
    print: (ds, { columns, ...analysis }, json) => {
      if (columns !== undefined) analysis.columns = columns.split(",").map((c) => c.trim()).filter((c) => c !== "");
      return json ? JSON.stringify(ds.customers(analysis), jsonReplacer, 2) + "\n" : ds.customersCsv(analysis);
    },
  },
  kpis: {
    summary: "Revenue, customers, AOV, purchase frequency, repeat rate, retention and churn, lifespan, CLV.",
    print: (ds, analysis, json) => {
      const k = ds.kpis({ asOf: analysis.asOf });
      if (json) return JSON.stringify(k, jsonReplacer, 2) + "\n";
      const rows = Object.entries(k)
        .filter(([, v]) => v === null || typeof v !== "object")
        .map(([key, v]) => [`  ${key}`, v === null ? "-" : typeof v === "number" ? trimNum(v) : String(v)]);
      return formatTable(rows) + "\n";
    },
  },
  cohorts: {
    summary: "Monthly acquisition cohorts: share of each cohort active N months after its first purchase (CSV).",
    print: (ds, analysis, json) => {
      const c = ds.cohorts({ asOf: analysis.asOf });
      if (json) return JSON.stringify(c, jsonReplacer, 2) + "\n";
      const width = Math.max(0, ...c.retention.map((r) => r.length));
      const header = ["cohort", "customers", ...Array.from({ length: width }, (_, m) => `month_${m}`)];
      return csv([header, ...c.cohort.map((name, i) => [name, c.size[i], ...c.retention[i].map((x) => trimNum(x))])]);
    },
  },
  segments: {
    summary: "RFM scores, named segments and lifecycle stage per customer (CSV); --json adds segment totals.",
    print: (ds, analysis, json) => {
      const r = ds.rfm({ asOf: analysis.asOf });
      const l = ds.lifecycle({ asOf: analysis.asOf });
      if (json) return JSON.stringify({ rfm: r, lifecycle: l }, jsonReplacer, 2) + "\n";
      const c = r.customers;
      const stage = new Map(Array.from(l.customers.customerId, (id, i) => [id, l.customers.stage[i]]));
      const rows = Array.from(c.customerId, (id, i) => [id, c.recencyDays[i], c.frequency[i], c.monetary[i], c.r[i], c.f[i], c.m[i], c.segment[i], stage.get(id) ?? ""]);
      return csv([["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "segment", "lifecycle_stage"], ...rows]);
    },
  },
};

function fileCommand(name) {
  const command = FILE_COMMANDS[name];
  return {
    args: "FILE",
    summary: command.summary,
    help: () => fileHelp(name, command),
    run: async (argv, io) => {
      const args = fileArgs(name, argv, command.options);
      if (args.help) {
        io.out(fileHelp(name, command));
        return 0;
      }
      const lib = await loadApi();
      const ds = await lib.ingestFile(args.file, args.ingest);
      try {
        reportRows(ds.report, io);
        io.out(command.print(ds, args.analysis, args.json));
      } finally {
        ds.free();
      }
      return 0;
    },
  };
}

// ---------------------------------------------------------------------------
// Cross-sell commands: rules, similar, upsell, recommend, evaluate (one ingest, one analysis)

/** A number as the library's CSV writes it: shortest round trip, never an exponent; inf for Infinity. */
function csvNumber(x) {
  if (Number.isNaN(x)) return "";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const s = String(x);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = "", exp] = m;
  const e = Number(exp);
  const digits = lead + frac;
  return e < 0 ? `${sign}0.${"0".repeat(-e - 1)}${digits}` : sign + digits.padEnd(e + 1, "0");
}

/** camelCase -> snake_case: coBuyers -> co_buyers (the library's CSV headers). */
const snake = (name) => name.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

/** A columnar table as CSV: `columns` as [header, key] pairs (default: every column, snake_case headers). */
function tableCsv(table, columns = Object.keys(table).map((key) => [snake(key), key])) {
  const rows = Array.from(table[columns[0][1]], (_, i) => columns.map(([, key]) => table[key][i]));
  return csv([columns.map(([header]) => header), ...rows]);
}

/** JSON for people and programs: typed arrays as lists, and "inf" / "-inf" where JSON has no number. */
const xsellJson = (result) =>
  JSON.stringify(result, (key, value) => {
    const v = jsonReplacer(key, value);
    return typeof v === "number" && !Number.isFinite(v) && !Number.isNaN(v) ? csvNumber(v) : v;
  }, 2) + "\n";

/** The rules CSV: mlxtend's column names, in its order. */
const RULE_COLUMNS = [
  ["antecedents", "antecedents"],
  ["consequents", "consequents"],
  ["antecedent support", "antecedentSupport"],
  ["consequent support", "consequentSupport"],
  ["support", "support"],
  ["confidence", "confidence"],
  ["lift", "lift"],
  ["leverage", "leverage"],
  ["conviction", "conviction"],
  ["zhangs_metric", "zhangsMetric"],
  ["jaccard", "jaccard"],
  ["certainty", "certainty"],
  ["kulczynski", "kulczynski"],
];

const MIN_SUPPORT = ["<0-1>", "Share of baskets (orders) an itemset must be in, in (0, 1]."];
const MINING_SUPPORT = ["<0-1>", "Min support of the rules used as evidence (default 0.01)."];
const MIN_PROBABILITY = ["<0-1>", "Relevance floor: never offer an item whose estimated P(purchase) is below this (default 0.05)."];

// ---------------------------------------------------------------------------
// Model commands: fit and predict, on a transactions file or a summary file

/** The CLI's model names (as in the literature) -> the library's. */
const MODELS = { bgnbd: "bgNbd", mbgnbd: "mbgNbd", pnbd: "paretoNbd" };
/** Parameter names as printed: Gamma-Gamma's scale is v in Fader & Hardie's notation. */
const PARAM_LABELS = { gamma: "v" };
const MONTH = { days: 30.436875, weeks: 4.348125, months: 1 };
const MODEL_OPTIONS = {
  model: ["<bgnbd|mbgnbd|pnbd|gammagamma|auto>", "The model (default bgnbd); auto fits the three transaction models and ranks them on a holdout."],
  unit: ["<days|weeks|months>", "Time unit of the fit (for a summary FILE: the unit of its recency and T; default days)."],
  "observation-end": ["<YYYY-MM-DD>", "End of the observation window (default: the last transaction date)."],
  penalizer: ["<number>", "L2 penalty on the parameters, as lifetimes' penalizer_coef (default 0)."],
};

/** Months ahead -> the library's predict options (expected purchases and CLV over the same span). */
function horizonOptions(o) {
  const months = o.horizon === undefined ? undefined : Number(o.horizon);
  if (months !== undefined && !(Number.isInteger(months) && months >= 1)) throw new UsageError(`--horizon expects a whole number of months, got '${o.horizon}'`, "e.g. --horizon 12");
  const unit = o.unit ?? "days";
  return {
    horizonMonths: months,
    horizon: months === undefined ? undefined : months * (MONTH[unit] ?? 1),
    monthlyDiscountRate: o.discountRate,
    grossMarginPercent: o.grossMargin,
  };
}

function modelName(o) {
  const name = String(o.model ?? "bgnbd").toLowerCase();
  if (name === "gammagamma" || name === "auto") return name;
  if (!Object.hasOwn(MODELS, name)) throw new UsageError(`unknown model '${o.model}'`, "Models: bgnbd, mbgnbd, pnbd, gammagamma, auto.");
  return MODELS[name];
}

/** ISO day three quarters of the way from the first purchase to the observation end. */
function defaultCalibrationEnd(ds, asOf) {
  const t = ds.customers({ asOf });
  const first = t.firstPurchase.reduce((a, b) => (b < a ? b : a));
  const start = Date.parse(first);
  const end = Date.parse(t.asOf);
  return new Date(start + Math.floor((end - start) * 0.75 / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
}

function paramsText(title, fit) {
  const rows = Object.entries(fit.params).filter(([k]) => k !== "model").map(([k, v]) => [`  ${PARAM_LABELS[k] ?? k}`, trimNum(v), fit.stdErrors ? `± ${trimNum(fit.stdErrors[k])}` : ""]);
  rows.push(["  log-likelihood", trimNum(fit.logLikelihood), ""], ["  converged", String(fit.converged), `(${fit.iterations} iterations)`]);
  return `${title}${fit.unit ? ` (rates per ${fit.unit.replace(/s$/, "")})` : ""}, ${fit.customers} customers\n${formatTable(rows)}\n`;
}

/**
 * On a terminal (`io.tty`), the fits' progress as one stderr line rewritten as they go ("fitting
 * bgNbd (1/2): iteration 12, log-likelihood -9582.43"), at most every 100 ms; `run(onProgress)`
 * runs the fitting call and the line is cleared after it, whatever happens. Elsewhere nothing.
 */
function withFitProgress(io, run) {
  if (!io.tty) return run(undefined);
  let last = -Infinity;
  const onProgress = (p) => {
    const now = performance.now();
    if (p.phase === "fitting" && now - last < 100) return;
    last = now;
    const step = p.phase === "standardErrors" ? "standard errors" : `iteration ${p.iteration}`;
    io.err(`\r\x1b[2Kfitting ${p.model} (${p.fit + 1}/${p.fits}): ${step}, log-likelihood ${p.logLikelihood.toFixed(2)}`);
  };
  try {
    return run(onProgress);
  } finally {
    io.err("\r\x1b[2K");
  }
}

/**
 * Each cross-sell command: its own options (name -> [meta, help]; the value reaches `request` by
 * the camelCase name), the options it needs, the library call and its CSV or table output.
 */
const XSELL_COMMANDS = {
  fit: {
    usage: "FILE --model bgnbd|mbgnbd|pnbd|gammagamma|auto [--unit ...] [--observation-end ...] [--json]",
    summary: "Fit a model: parameters (r, alpha, a, b; r, alpha, s, beta; p, q, v) and the log-likelihood. FILE: transactions or a summary.",
    options: { ...MODEL_OPTIONS, "calibration-end": ["<YYYY-MM-DD>", "auto: fit up to this day, validate after it (default: 3/4 of the way)."] },
    summaryFile: true,
    request: (o) => o,
    run: (source, o, io) => {
      const model = modelName(o);
      const base = { unit: o.unit, penalizer: o.penalizer };
      if (model === "auto") {
        if (!source.validateModels) throw new UsageError("--model auto needs a transactions FILE (it splits the orders by date)");
        const calibrationEnd = o.calibrationEnd ?? defaultCalibrationEnd(source, o.observationEnd);
        return { auto: withFitProgress(io, (onProgress) => source.validateModels({ ...base, calibrationEnd, observationEnd: o.observationEnd, onProgress })) };
      }
      const request = { ...base, asOf: o.observationEnd, model: model === "gammagamma" ? undefined : model };
      const fit = withFitProgress(io, (onProgress) => source.fit({ ...request, onProgress }));
      if (model === "gammagamma" && !fit.spend) throw new UsageError(`no Gamma-Gamma fit: ${fit.warnings.map((w) => w.message).join("; ")}`);
      return model === "gammagamma" ? { spend: fit.spend, warnings: fit.warnings } : { transactions: fit.transactions, warnings: fit.warnings };
    },
    print: (r) => {
      if (r.auto) {
        const rows = r.auto.ranking.map((m) => [m.model, trimNum(m.logLikelihood ?? NaN), m.error ? trimNum(m.error.rmse) : "-", m.error ? trimNum(m.error.mae) : "-", m.failure ?? ""]);
        return `best: ${r.auto.best}\n\n` + formatTable(rows, { header: ["model", "log-likelihood", "holdout RMSE", "holdout MAE", ""] }) + "\n";
      }
      return r.spend ? paramsText("Gamma-Gamma", r.spend) : paramsText(r.transactions.params.model, r.transactions);
    },
  },
  predict: {
    usage: "FILE --model bgnbd|mbgnbd|pnbd --horizon N [--discount-rate D] [--gross-margin P]",
    summary: "Per-customer predictions as CSV: customer_id,p_alive,expected_purchases,expected_spend,clv,churn_risk.",
    options: {
      ...MODEL_OPTIONS,
      horizon: ["<months>", "Months ahead for expected purchases and CLV (default 12)."],
      "discount-rate": ["<rate>", "Monthly discount rate of the CLV (default 0.01)."],
      "gross-margin": ["<percent>", "CLV as profit: the gross margin in percent (default 100: revenue)."],
    },
    summaryFile: true,
    request: (o) => o,
    run: (source, o) => {
      const model = modelName(o);
      if (model === "gammagamma" || model === "auto") throw new UsageError(`predict needs a transaction model (bgnbd, mbgnbd or pnbd), not ${model}`);
      const request = { model, unit: o.unit, asOf: o.observationEnd, penalizer: o.penalizer, ...horizonOptions(o) };
      return { result: source.predict(request), csv: source.predictCsv(request) };
    },
    print: (r) => r.csv,
    json: (r) => r.result,
  },
  rules: {
    usage: "FILE [--baskets] --min-support S [--min-confidence C] [--max-len K] [--json]",
    summary: "Association rules as CSV (mlxtend's columns; items in a set sorted and joined by |).",
    options: {
      "min-support": MIN_SUPPORT,
      "min-confidence": ["<0-1>", "Keep rules with at least this confidence."],
      "max-len": ["<whole>", "Longest itemset mined (default: no limit)."],
      "max-rules": ["<whole>", "At most this many rules, highest lift first (default 10000)."],
    },
    flags: { baskets: "FILE is a baskets file (one basket per line, comma-separated item ids), not transactions." },
    required: ["min-support"],
    request: (o) => ({
      minSupport: o.minSupport,
      maxLen: o.maxLen,
      maxRules: o.maxRules,
      filters: o.minConfidence === undefined ? undefined : [{ metric: "confidence", min: o.minConfidence }],
    }),
    run: (source, request) => source.rules(request),
    print: (r) => tableCsv(r.rules, RULE_COLUMNS),
  },
  similar: {
    summary: "Item-to-item similarity as CSV: per item, the top-k items its buyers also bought (cosine, lift, LLR).",
    options: {
      "top-k": ["<whole>", "Similar items per item (default 10)."],
      "min-co-buyers": ["<whole>", "Pairs need at least this many customers who bought both (default 2)."],
    },
    request: (o) => ({ topK: o.topK, minCoBuyers: o.minCoBuyers }),
    run: (ds, request) => ds.similarity(request),
    print: (r) => tableCsv(r.pairs),
  },
  upsell: {
    summary: "Upsell paths as CSV: pricier items of the same category that an item's buyers later bought.",
    options: {
      "top-k": ["<whole>", "Paths per item (default 5)."],
      "min-movers": ["<whole>", "Paths need at least this many customers who moved up (default 1)."],
    },
    request: (o) => ({ topK: o.topK, minMovers: o.minMovers }),
    run: (ds, request) => ds.upsell(request),
    print: (r) => tableCsv(r.paths),
  },
  recommend: {
    usage: "FILE --top N [options]",
    summary: "Next-best offers as CSV: customer_id,rank,item,score,reason (score = expected value).",
    options: {
      top: ["<whole>", "Offers per customer, at most (default 3)."],
      "min-probability": MIN_PROBABILITY,
      "min-support": MINING_SUPPORT,
    },
    request: (o) => ({ topN: o.top, minProbability: o.minProbability, rules: o.minSupport === undefined ? undefined : { minSupport: o.minSupport } }),
    run: (ds, request) => ds.offers(request),
    print: (r) =>
      tableCsv(r.offers, [["customer_id", "customerId"], ["rank", "rank"], ["item", "itemId"], ["score", "expectedValue"], ["reason", "reason"]]),
    notes: (r) => (r.belowFloor > 0 ? [`${r.belowFloor} candidate offers were under the relevance floor (--min-probability) and left out`] : []),
  },
  evaluate: {
    usage: "FILE --cut-date YYYY-MM-DD [--k K] [options]",
    summary: "Offline evaluation: offers trained before --cut-date, scored on later purchases, against two baselines.",
    options: {
      "cut-date": ["<YYYY-MM-DD>", "Train on the orders before this day, test on the purchases from it on."],
      k: ["<whole>", "Offers per customer scored (default 5)."],
      "min-probability": MIN_PROBABILITY,
      "min-support": MINING_SUPPORT,
    },
    required: ["cut-date"],
    request: (o) => ({
      cutDate: o.cutDate,
      k: o.k,
      offers: o.minProbability === undefined ? undefined : { minProbability: o.minProbability },
      rules: o.minSupport === undefined ? undefined : { minSupport: o.minSupport },
    }),
    run: (ds, request) => ds.evaluateOffers(request),
    print: (e) =>
      `cut date ${e.cutDate}, k = ${e.k}: ${e.evaluatedCustomers} customers evaluated ` +
      `(${e.trainOrders} train orders, ${e.testOrders} test orders, ${e.catalogueItems} items bought in train)\n\n` +
      formatTable(
        e.models.map((m) => [m.model, ...[m.precisionAtK, m.recallAtK, m.hitRate, m.ndcgAtK, m.coverage].map((x) => x.toFixed(4))]),
        { header: ["model", "precision@k", "recall@k", "hit rate", "NDCG@k", "coverage"], right: [1, 2, 3, 4, 5] },
      ) +
      "\n",
  },
};

/** True when FILE's header starts customer_id,frequency,recency,T (a BTYD summary, not transactions). */
function isSummaryFile(path) {
  const fd = openSync(path, "r");
  const bytes = Buffer.alloc(4096);
  let n;
  try {
    n = readSync(fd, bytes, 0, bytes.length, 0);
  } finally {
    closeSync(fd);
  }
  const head = bytes.subarray(0, n).toString("utf8").replace(/^\uFEFF/, "");
  const names = head.split(/\r?\n/)[0].split(/[,;\t|]/).map((h) => h.trim().replace(/^"|"$/g, "").toLowerCase());
  return names[0] === "customer_id" && names[1] === "frequency" && names[2] === "recency" && names[3] === "t";
}

/** Whole numbers cross as numbers; shares stay strings (the library parses them exactly). */
const WHOLE = new Set(["max-len", "max-rules", "top-k", "min-co-buyers", "min-movers", "top", "k"]);
const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

function xsellCommand(name) {
  const command = XSELL_COMMANDS[name];
  const options = { ...INGEST_OPTIONS, ...Object.fromEntries(Object.entries(command.options).map(([o, [meta, help]]) => [o, [meta, help, "analysis"]])) };
  const flags = { ...(command.flags ?? {}), ...FILE_FLAGS };
  const described = { ...command, options, flags };
  return {
    args: "FILE",
    summary: command.summary,
    help: () => fileHelp(name, described),
    run: async (argv, io) => {
      const args = fileArgs(name, argv, options, flags);
      if (args.help) {
        io.out(fileHelp(name, described));
        return 0;
      }
      const context = `${PROG} ${name}`;
      for (const o of command.required ?? []) {
        if (!args.given.includes(o)) throw new UsageError(`missing --${o}`, `Usage: ${PROG} ${name} ${command.usage}. Try '${context} --help'.`);
      }
      const given = {};
      for (const [o, value] of Object.entries(args.analysis)) given[camel(o)] = WHOLE.has(o) && /^\d+$/.test(value.trim()) ? Number(value) : value;
      const baskets = args.flags.has("baskets");
      if (baskets) {
        const other = args.given.find((o) => Object.hasOwn(INGEST_OPTIONS, o) && o !== "delimiter");
        if (other) throw new UsageError(`--${other} does not apply to a baskets file`, "A baskets file takes --delimiter and --strict only.");
      }
      const lib = await loadApi();
      const source = baskets
        ? await lib.ingestBasketsFile(args.file, args.ingest)
        : command.summaryFile && isSummaryFile(args.file)
          ? await lib.ingestSummaryFile(args.file, { delimiter: args.ingest.delimiter, strict: args.ingest.strict })
          : await lib.ingestFile(args.file, args.ingest);
      try {
        reportRows(source.report, io);
        const result = command.run(source, command.request(given), io);
        for (const w of result.warnings ?? []) io.err(`  warning [${w.code}]${w.field ? " " + w.field + ":" : ""} ${w.message}\n`);
        for (const note of command.notes?.(result) ?? []) io.err(`${PROG}: ${note}\n`);
        io.out(args.json ? xsellJson(command.json ? command.json(result) : result) : command.print(result));
      } finally {
        source.free();
      }
      return 0;
    },
  };
}

/**
 * Subcommands. Each: summary, args (shown in help), help() -> text, run(argv, io) -> exit code.
 * Add new ones (summary, kpis, fit, ...) here.
 */
const COMMANDS = {
  calc: {
    args: "<kind>",
    summary: `Run a calculator: ${Object.keys(CALCULATORS).join(", ")}.`,
    help: calcHelp,
    run: runCalc,
  },
  ...Object.fromEntries(Object.keys(FILE_COMMANDS).map((name) => [name, fileCommand(name)])),
  ...Object.fromEntries(Object.keys(XSELL_COMMANDS).map((name) => [name, xsellCommand(name)])),
};

function packageVersion() {
  try {
    return JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
  } catch {
    return "unknown";
  }
}

function isClvkitError(e) {
  return e != null && typeof e === "object" && (e.name === "ClvkitError" || (api?.ClvkitError && e instanceof api.ClvkitError));
}

/** Run the CLI with these arguments; returns the exit code. `io.tty`: stderr is a terminal (fit progress is shown). */
export async function main(argv, io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), tty: process.stderr.isTTY === true }) {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      io.err(mainHelp(packageVersion()));
      return 2;
    }
    if (first === "--help" || first === "-h" || first === "help") {
      if (first === "help" && rest[0] && Object.hasOwn(COMMANDS, rest[0])) io.out(COMMANDS[rest[0]].help());
      else io.out(mainHelp(packageVersion()));
      return 0;
    }
    if (first === "--version" || first === "-V") {
      io.out(`${PROG} ${packageVersion()}\n`);
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, first)) {
      const guess = first.startsWith("-") ? null : suggest(first, Object.keys(COMMANDS));
      throw new UsageError(
        first.startsWith("-") ? `unknown option ${first}` : `unknown command '${first}'`,
        (guess ? `Did you mean '${guess}'? ` : "") + `Try '${PROG} --help'.`,
      );
    }
    return await COMMANDS[first].run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${PROG}: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ""}`);
      return 2;
    }
    if (isClvkitError(e)) {
      io.err(`${PROG}: error [${e.code}] ${e.field ? e.field + ": " : ""}${e.message}\n`);
      const opt = e.field && fieldOption(e.field);
      if (opt) io.err(`hint: check --${opt}\n`);
      return 1;
    }
    if (typeof e?.code === "string" && e.syscall) {
      io.err(`${PROG}: cannot read ${e.path ?? "the file"}: ${e.code === "ENOENT" ? "no such file" : e.message}\n`);
      return 1;
    }
    io.err(`${PROG}: ${e?.stack ?? e}\n`);
    return 1;
  }
}

/** "channels[1].spend" -> "channel", "averageOrderValue" -> "average-order-value". */
function fieldOption(field) {
  const root = String(field).split(/[.[]/)[0];
  return Object.hasOwn(FIELDS, root) ? optionName(root) : null;
}

const invokedDirectly = (() => {
  try {
    // npm installs the bin as a symlink: compare real paths.
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  process.exitCode = await main(process.argv.slice(2));
}
