/**
 * Interim main job (replaced by the full demo later): an ASCII preview of the lr and momentum schedules
 * fitOneCycle uses, and what lintSchedule says about them and about a momentum cycle that overshoots.
 */
import { combinedCos, lintSchedule, type Schedule, sample, stepView } from "@sched/core";

const lrMax = 1e-2;
const steps = 2 * 10; // 2 epochs of 10 batches
const lr = combinedCos(0.25, lrMax / 25, lrMax, lrMax / 1e5);
const mom = combinedCos(0.25, 0.95, 0.85, 0.95);

/** A `height`-row plot of the schedule sampled at `width` positions from 0 to 1. */
function preview(name: string, s: Schedule<number>, width = 64, height = 8): string {
  const { values } = sample(s, width);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const row = (v: number) => Math.round(((hi - v) / (hi - lo || 1)) * (height - 1));
  const grid = Array.from({ length: height }, () => new Array<string>(width).fill(" "));
  values.forEach((v, x) => {
    (grid[row(v)] as string[])[x] = "*";
  });
  const label = (y: number) => (y === 0 ? hi : y === height - 1 ? lo : undefined)?.toExponential(2) ?? "";
  const lines = grid.map((cells, y) => `${label(y).padStart(9)} |${cells.join("")}`);
  return [`${name}  (pos 0 → 1)`, ...lines, `${"".padStart(9)} +${"-".repeat(width)}`].join("\n");
}

function lintLine(name: string, s: Schedule, hyper: string): string {
  const report = lintSchedule(s, { hyper, totalSteps: steps });
  if (report.findings.length === 0) return `lint ${name}: ok`;
  return [
    `lint ${name}: ${report.ok ? "warnings" : "errors"}`,
    ...report.findings.map((f) => `  [${f.severity}] ${f.code}: ${f.message}`),
  ].join("\n");
}

console.log("fitOneCycle schedules (lrMax 1e-2, div 25, divFinal 1e5, pctStart 0.25, moms 0.95/0.85/0.95)\n");
console.log(preview("lr", lr));
console.log();
console.log(preview("mom", mom));
const byStep = stepView(lr, steps);
console.log(
  `\nlr by step (${steps} steps): ${[0, 5, 10, 15, 19].map((k) => `${k}: ${byStep(k).toExponential(2)}`).join("  ")}`,
);
console.log(`lr as JSON: ${JSON.stringify(lr)}\n`);
console.log(lintLine("lr", lr, "lr"));
console.log(lintLine("mom", mom, "mom"));
console.log(lintLine("mom with moms 0.95/0.85/1.05", combinedCos(0.25, 0.95, 0.85, 1.05), "mom"));
