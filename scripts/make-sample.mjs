#!/usr/bin/env node
// Writes the demo's sample order export, www/sample/orders.csv, from www/sample/generate.js
// (the same module the page's worker runs for "Try sample data"). Deterministic: rerunning it
// changes nothing unless the generator changed.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sampleOrdersCsv } from "../www/sample/generate.js";

const path = fileURLToPath(new URL("../www/sample/orders.csv", import.meta.url));
const csv = sampleOrdersCsv();
writeFileSync(path, csv);
console.log(`${path}: ${csv.split("\n").length - 2} lines, ${(csv.length / 1024).toFixed(0)} KiB`);
