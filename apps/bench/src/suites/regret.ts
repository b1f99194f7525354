/**
 * Suggestion regret on real data: how much worse than the best LR of a full sweep is the LR each
 * suggestion function picks? See `lib/regret-study.ts` for the protocol of one task.
 */
import { join } from "node:path";
import { initBackend } from "@sched/learner";
import { plotLrFind } from "@sched/plot";
import { minimum, slide, steep, valley } from "@sched/suggest";
import * as tf from "@tensorflow/tfjs";
import { type RegretConfig, type TaskRegret, taskRegret } from "../lib/regret-study.js";
import { geoMean, logGrid, lossAt, median, pct, sci } from "../lib/stats.js";
import { benchDir, table, writeSection } from "../results.js";
import type { Suite } from "../suite.js";
import { TASKS, taskByName } from "../tasks/index.js";

/** The suggestion lrFind uses by default; the goal is stated for it. */
const DEFAULT_FUNC = "valley";
const FUNCS = [valley, slide, minimum, steep];
const GOAL = { median: 0.05, worst: 0.15 };

const FULL: RegretConfig & { tasks: string[] } = {
  tasks: TASKS.map((t) => t.name),
  grid: logGrid(1e-4, 10 ** -0.5, 10),
  seeds: [0, 1, 2],
  funcs: FUNCS,
  repeats: 3,
  refine: true,
};
const QUICK: RegretConfig & { tasks: string[] } = {
  tasks: ["breast_cancer", "diabetes"],
  grid: logGrid(1e-4, 10 ** -0.5, 5),
  seeds: [0],
  funcs: FUNCS,
  repeats: 3,
  refine: false,
};

async function plot(r: TaskRegret): Promise<string> {
  const c = r.curves[0];
  if (!c) return "";
  const oracle = {
    lr: r.oracle.lr,
    point: [r.oracle.lr, lossAt(c.lrs, c.losses, r.oracle.lr)] as [number, number],
  };
  const file = `regret-${r.task}.png`;
  await plotLrFind(
    { lrs: c.lrs, losses: c.losses },
    {
      suggestions: { ...c.suggestions, oracle },
      title: `${r.task}: LR finder (seed ${c.seed}), suggestions and the grid oracle`,
    },
  ).save(join(benchDir, "out", file));
  return file;
}

function report(results: TaskRegret[], cfg: RegretConfig, quick: boolean, plots: string[]): string {
  const methods = results[0]?.methods.map((m) => m.name) ?? [];
  const regretOf = (r: TaskRegret, name: string, refined = false) => {
    const m = r.methods.find((x) => x.name === name);
    return m ? (refined ? m.regretRefined : m.regret) : Number.NaN;
  };
  const summary = methods.map((name) => {
    const rs = results.map((r) => regretOf(r, name));
    const rr = results.map((r) => regretOf(r, name, true));
    const worst = Math.max(...rs);
    const med = median(rs);
    return { name, rs, med, worst, medRefined: median(rr), worstRefined: Math.max(...rr) };
  });
  const def = summary.find((s) => s.name === DEFAULT_FUNC);
  const goalMet = def ? def.med <= GOAL.median && def.worst <= GOAL.worst : false;
  const ratio = Math.sqrt((cfg.grid[1] as number) / (cfg.grid[0] as number));
  const lines: string[] = [];
  if (quick) {
    lines.push(
      `**Quick run** (\`--quick\`): ${results.length} tasks, ${cfg.grid.length} grid LRs, ${cfg.seeds.length} seed(s): a smoke test of the pipeline, not the result. Run \`pnpm bench regret\` for the full study.`,
      "",
    );
  }
  lines.push(
    `Per task: a grid of ${cfg.grid.length} log-spaced LRs (${sci(cfg.grid[0] as number)} … ${sci(cfg.grid[cfg.grid.length - 1] as number)}, ×${(ratio * ratio).toFixed(2)} apart) × \`fitOneCycle\` for a fixed budget × seeds ${cfg.seeds.join(", ")} (the seed fixes the weights and the batch order; the split is fixed). The **oracle** is the grid LR with the best mean final validation loss. For each seed, \`lrFind\` (defaults: 1e-7 → 10, 100 iterations) on a fresh learner picks an LR per suggestion function, alone and as the median of ${cfg.repeats} runs (\`repeats: ${cfg.repeats}\`, "×${cfg.repeats}"); that LR is trained with the same budget and seed. **Regret** = (mean valid loss at the suggestions − oracle) / oracle. Adam (wd 0.01), one-cycle defaults (div 25, pctStart 0.25).`,
    "",
    `The oracle is only as fine as the grid: its LRs are ×${(ratio * ratio).toFixed(2)} apart, so the true optimum can lie up to ×${ratio.toFixed(2)} away from the oracle, and a suggestion (trained at its exact LR, not snapped to the grid) can beat it: regret can be negative and is reported as is.${cfg.refine ? ` The *refined* columns use a finer oracle: the best of the grid optimum and the two geometric midpoints next to it (trained with the same seeds).` : ""}`,
    "",
    table(
      [
        "task",
        "data and model",
        "budget",
        "oracle lr",
        "oracle valid loss",
        cfg.refine ? "refined oracle" : "note",
      ],
      results.map((r) => [
        r.task,
        r.describe,
        `${r.epochs} epochs = ${r.stepsPerTraining} steps`,
        sci(r.oracle.lr) + (r.oracle.atEdge ? " (grid edge!)" : ""),
        r.oracle.loss.toFixed(4),
        cfg.refine ? `${sci(r.refined.lr)}: ${r.refined.loss.toFixed(4)}` : "",
      ]),
    ),
    "",
    "### Regret per task and overall",
    "",
    table(
      [
        "suggestion",
        ...results.map((r) => r.task),
        "median",
        "worst",
        ...(cfg.refine ? ["median (refined)", "worst (refined)"] : []),
      ],
      summary.map((s) => [
        s.name === DEFAULT_FUNC ? `**${s.name}** (default)` : s.name,
        ...s.rs.map(pct),
        pct(s.med),
        pct(s.worst),
        ...(cfg.refine ? [pct(s.medRefined), pct(s.worstRefined)] : []),
      ]),
    ),
    "",
    `Goal for the default suggestion (\`${DEFAULT_FUNC}\`): median regret ≤ ${GOAL.median * 100}% and worst ≤ ${GOAL.worst * 100}% across the tasks: **${goalMet ? "met" : "not met"}** (median ${def ? pct(def.med) : "?"}, worst ${def ? pct(def.worst) : "?"}).`,
    "",
    "### Cost: lrFind against the sweep, in training steps",
    "",
    table(
      [
        "task",
        "steps / training",
        `sweep (${cfg.grid.length} LRs) per seed`,
        "lrFind per seed",
        `lrFind ×${cfg.repeats} per seed`,
        "lrFind / sweep",
        "seconds: sweep / finders (all seeds)",
      ],
      results.map((r) => {
        const sweep = r.stepsPerTraining * cfg.grid.length;
        const one = r.methods.find((m) => m.name === DEFAULT_FUNC)?.finderSteps ?? [];
        const rep = r.methods.find((m) => m.name === `${DEFAULT_FUNC} ×${cfg.repeats}`)?.finderSteps ?? [];
        const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
        return [
          r.task,
          r.stepsPerTraining,
          sweep,
          avg(one).toFixed(0),
          avg(rep).toFixed(0),
          `${((100 * avg(one)) / sweep).toFixed(1)}% (×${cfg.repeats}: ${((100 * avg(rep)) / sweep).toFixed(1)}%)`,
          `${r.seconds.grid.toFixed(0)} / ${r.seconds.finder.toFixed(0)}`,
        ];
      }),
    ),
    "",
    "lrFind runs no validation; the sweep's trainings each validate once per epoch (not counted in steps). Either way, the chosen LR must then be trained once more.",
    "",
    "### Suggested LRs (geometric mean over seeds) and mean valid loss",
    "",
    table(
      ["suggestion", ...results.map((r) => r.task)],
      [
        ["oracle (grid)", ...results.map((r) => `${sci(r.oracle.lr)}: ${r.oracle.loss.toFixed(4)}`)],
        ...methods.map((name) => [
          name,
          ...results.map((r) => {
            const m = r.methods.find((x) => x.name === name);
            return m
              ? `${sci(geoMean(m.lrs))}: ${Number.isFinite(m.mean) ? m.mean.toFixed(4) : "diverged"}`
              : "";
          }),
        ]),
      ],
    ),
    "",
    "LR-finder curves (seed 0) with the suggestions and the grid oracle marked:",
    "",
    ...plots.filter(Boolean).map((p) => `- [${p}](out/${p})`),
  );
  return lines.join("\n");
}

const suite: Suite = {
  name: "regret",
  title: "LR suggestion regret on real data",
  async run({ quick, command }) {
    const backend = await initBackend();
    tf.enableProdMode();
    console.log(`backend: ${backend}`);
    const cfg = quick ? QUICK : FULL;
    const t0 = performance.now();
    const results: TaskRegret[] = [];
    const plots: string[] = [];
    for (const name of cfg.tasks) {
      const r = await taskRegret(taskByName(name), cfg);
      results.push(r);
      plots.push(await plot(r));
      console.log(`${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s so far`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const body = `${report(results, cfg, quick, plots)}\n\nWall time of this suite: ${seconds.toFixed(0)} s.`;
    const json = {
      backend,
      quick,
      config: { ...cfg, funcs: cfg.funcs.map((f) => f.name) },
      seconds,
      tasks: results,
    };
    writeSection({ suite: "regret", title: suite.title, command, backend, body, json });
  },
};

export default suite;
