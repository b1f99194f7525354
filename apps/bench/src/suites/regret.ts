/**
 * Suggestion regret on real data: how much worse than the best LR of a full sweep is the LR each
 * suggestion function picks? See `lib/regret-study.ts` for the protocol of one task.
 */
import { basename, join, relative } from "node:path";
import { plotLrFind } from "@sched/plot";
import { halfway, lossAt, minimum } from "@sched/suggest";
import {
  DEFAULT_FUNC,
  FASTAI_FUNC,
  GOAL,
  methodLabel,
  oracleRelativeSe,
  type RegretConfig,
  regretSuite,
  STUDY_FUNCS,
  type StudyConfig,
  suggestedLrTable,
  type TaskRegret,
} from "../lib/regret-study.js";
import { geoMean, logGrid, median, pct, sci } from "../lib/stats.js";
import { benchDir, outDir, table } from "../results.js";
import { TASKS } from "../tasks/index.js";

const FULL: StudyConfig = {
  tasks: TASKS.map((t) => t.name),
  grid: logGrid(1e-4, 10 ** -0.5, 10),
  seeds: [0, 1, 2],
  splitPerSeed: false,
  funcs: STUDY_FUNCS,
  repeats: 3,
  refine: true,
  validFuncs: STUDY_FUNCS,
};
const QUICK: StudyConfig = {
  tasks: ["breast_cancer"],
  grid: logGrid(1e-4, 10 ** -0.5, 4),
  seeds: [0],
  splitPerSeed: false,
  funcs: STUDY_FUNCS,
  repeats: 2,
  refine: false,
  validFuncs: [halfway, minimum],
};

/** The markers on the plots: fastai's default, ours and minimum, on both curves (more overlap unreadably). */
const PLOTTED = [FASTAI_FUNC, DEFAULT_FUNC, "minimum"];
const PLOTTED_VALID = [DEFAULT_FUNC, "minimum"].map((n) => `${n} (valid)`);

function pick<T>(from: Record<string, T>, names: string[]): Record<string, T> {
  return Object.fromEntries(names.flatMap((n) => (from[n] ? [[n, from[n]] as const] : [])));
}

/** Draws a task's seed-0 finder curves with the PLOTTED markers and the oracle into out/. */
export async function plot(r: TaskRegret): Promise<string> {
  const c = r.curves[0];
  if (!c) return "";
  const oracle = {
    lr: r.oracle.lr,
    point: [r.oracle.lr, lossAt(c.lrs, c.losses, r.oracle.lr)] as [number, number],
  };
  const file = `regret-${r.task}.png`;
  await plotLrFind(
    { lrs: c.lrs, losses: c.losses, ...(c.validLosses ? { validLosses: c.validLosses } : {}) },
    {
      suggestions: {
        ...pick(c.suggestions, PLOTTED),
        ...pick(c.validSuggestions ?? {}, PLOTTED_VALID),
        oracle,
      },
      title: `${r.task}: LR finder (seed ${c.seed}), train and valid curves, suggestions and the grid oracle`,
    },
  ).save(join(outDir(), file));
  return relative(benchDir, join(outDir(), file));
}

interface Summary {
  name: string;
  med: number;
  worst: number;
}

function goalLine(summary: Summary[], name: string, what: string): string {
  const s = summary.find((x) => x.name === name);
  if (!s) return "";
  const met = s.med <= GOAL.median && s.worst <= GOAL.worst;
  return `Goal for ${what} (\`${name}\`): median regret ≤ ${GOAL.median * 100}% and worst ≤ ${GOAL.worst * 100}% across the tasks: **${met ? "met" : "not met"}** (median ${pct(s.med)}, worst ${pct(s.worst)}).\n`;
}

/** How the suggestions read from the finder's validation curve are named in the tables. */
const VALID_SUFFIX = " (valid)";

/** The goal line for the best suggestion read from the validation curve (smallest worst, then median). */
function bestValidGoalLine(summary: Summary[]): string {
  const valid = summary.filter((s) => s.name.endsWith(VALID_SUFFIX));
  if (valid.length === 0) return "";
  const best = valid.reduce((a, b) => (b.worst < a.worst || (b.worst === a.worst && b.med < a.med) ? b : a));
  return goalLine(
    summary,
    best.name,
    "the best validation-curve suggestion, picked after seeing this table and hence optimistic",
  );
}

/** Where the LRs within `GOAL.worst` of a task's oracle lie, as multiples of a per-task landmark LR. */
interface Band {
  lo: number;
  hi: number;
}

/** "×a … ×b" of a band in units of a landmark; below 1 as "/k". */
function inUnits(b: Band, unit: number): string {
  const f = (x: number) => (x >= 1 ? `×${x.toPrecision(2)}` : `/${(1 / x).toPrecision(2)}`);
  return `${f(b.lo / unit)} … ${f(b.hi / unit)}`;
}

/** Whether one multiple of the landmark is within the band on every task, said in a sentence. */
function overlap(bands: Band[], units: number[], name: string): string {
  const lo = Math.max(...bands.map((b, i) => b.lo / (units[i] as number)));
  const hi = Math.min(...bands.map((b, i) => b.hi / (units[i] as number)));
  return lo <= hi
    ? `Multiples of ${name} from ×${lo.toPrecision(2)} to ×${hi.toPrecision(2)} are within ${GOAL.worst * 100}% on every task.`
    : `No single multiple of ${name} is within ${GOAL.worst * 100}% on every task (one task needs at least ×${lo.toPrecision(2)}, another at most ×${hi.toPrecision(2)}).`;
}

/** The reading of the tables: why valley misses, what halfway changes, where both miss. */
function discussion(results: TaskRegret[], summary: (Summary & { rs: number[] })[]): string[] {
  const smooth = ["optdigits", "mnist", "tinyshakespeare", "breast_cancer"];
  const lrsOf = (r: TaskRegret, name: string) => r.methods.find((m) => m.name === name)?.lrs ?? [];
  const below = geoMean(
    results.filter((r) => smooth.includes(r.task)).map((r) => r.oracle.lr / geoMean(lrsOf(r, FASTAI_FUNC))),
  );
  const regretOn = (task: string, name: string) =>
    results.find((r) => r.task === task)?.methods.find((m) => m.name === name)?.regret ?? Number.NaN;
  const valleyBetter = results
    .map((r) => r.task)
    .filter((t) => regretOn(t, FASTAI_FUNC) < regretOn(t, DEFAULT_FUNC))
    .map((t) => `${t} (${pct(regretOn(t, FASTAI_FUNC))} vs ${pct(regretOn(t, DEFAULT_FUNC))})`);
  const bestWorst = summary.reduce((a, b) => (b.worst < a.worst ? b : a));
  const medianOf = (name: string) => summary.find((x) => x.name === name)?.med ?? Number.NaN;
  const worstOf = (name: string) => summary.find((x) => x.name === name)?.worst ?? Number.NaN;
  return [
    `**Why \`${FASTAI_FUNC}\` misses, and what \`${DEFAULT_FUNC}\` changes.** \`valley\` takes the middle of the longest strictly decreasing run of the curve, counted in points. On the smooth curves (${smooth.join(", ")}: see the plots) the smoothed loss on the plateau at tiny LRs still drifts down from point to point, so that run starts on the plateau, decades left of the real descent, and its middle lands where the descent only begins: ×${below.toFixed(1)} below the oracle on those tasks (geometric mean). \`halfway\` takes the middle of the descent measured in loss, which a drifting plateau hardly moves. It is no cure-all: \`valley\` does better on ${valleyBetter.join(", ") || "no task"}. On wine the LRs past the start of the descent keep lowering the training loss but raise the validation loss (last column above), which a training-loss curve cannot show; on breast_cancer the good LRs sit near the end of the descent, and the oracle's own noise is larger than most regrets. The finder curves of these two tasks look alike (plots), yet their good LRs are ten times and more apart in units of the finder's minimum or of halfway (table above), so no fixed multiple of either gets within ${GOAL.worst * 100}% on both; as the two curves have the same shape, we expect the same of any rule that reads only the training-loss curve.`,
    "",
    ...validDiscussion(results, summary),
    `**The default.** \`lrFind\`'s default \`suggestFuncs\` is \`[${DEFAULT_FUNC}, ${FASTAI_FUNC}]\`: \`${DEFAULT_FUNC}\` is the default suggestion, and fastai's \`${FASTAI_FUNC}\` stays beside it so that \`const { ${FASTAI_FUNC} } = await lrFind(learn)\` still runs. Against \`${FASTAI_FUNC}\` the median regret goes from ${pct(medianOf(FASTAI_FUNC))} to ${pct(medianOf(DEFAULT_FUNC))} and the worst from ${pct(worstOf(FASTAI_FUNC))} to ${pct(worstOf(DEFAULT_FUNC))}; ${medianOf(DEFAULT_FUNC) <= GOAL.median && worstOf(DEFAULT_FUNC) <= GOAL.worst ? "it meets the goal" : 'it does not meet the goal here, with 3 seeds on one split per task; the section "LR suggestion regret with 10 seeds and a split per seed" reruns the noisy tasks with more seeds and a new split per seed'}. The smallest worst case here is \`${bestWorst.name}\` (${pct(bestWorst.worst)})${bestWorst.name.startsWith("slide") ? "; but slide's threshold is an absolute difference of loss gradients (0.005), so its answer changes with the scale of the loss, and a single slide run can be far off (see optdigits)" : ""}${bestWorst.name.endsWith(VALID_SUFFIX) ? "; it needs the validation curve, which lrFind does not compute by default (a full validation pass per iteration)" : ""}.`,
    "",
  ];
}

/** "a", "a and b", "a, b and c". */
function listText(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** What reading the finder's validation curve changes, from the "(valid)" rows. */
function validDiscussion(results: TaskRegret[], summary: Summary[]): string[] {
  const valid = summary.filter((s) => s.name.endsWith(VALID_SUFFIX));
  if (valid.length === 0) return [];
  const pairs = valid
    .map((v) => ({ v, t: summary.find((s) => `${s.name}${VALID_SUFFIX}` === v.name) }))
    .filter((p): p is { v: Summary; t: Summary } => p.t !== undefined)
    .map(({ v, t }) => `\`${t.name}\` ${pct(t.med)} / ${pct(t.worst)} → ${pct(v.med)} / ${pct(v.worst)}`);
  const best = valid.reduce((a, b) => (b.worst < a.worst || (b.worst === a.worst && b.med < a.med) ? b : a));
  const regretOf = (r: TaskRegret) => r.methods.find((m) => m.name === best.name)?.regret ?? Number.NaN;
  const over = results.filter((r) => regretOf(r) > GOAL.worst).map((r) => `${r.task} (${pct(regretOf(r))})`);
  return [
    `**Reading the validation curve.** With \`lrFind(learn, { validBatches: Infinity, suggestOn: "valid" })\` the finder also evaluates the validation set after every iteration and the suggestion functions read that (smoothed) curve instead of the training loss. Median / worst regret, training curve → validation curve: ${pairs.join("; ")}. The best of them, \`${best.name}\`, is still above ${GOAL.worst * 100}% on ${listText(over) || "no task"}. The finder's validation curve shows how its weights do on held-out data during a ${results[0]?.curves[0]?.lrs.length ?? 100}-iteration ramp; the overfitting that separates the good LRs of tasks like wine from those of breast_cancer builds up over the whole training budget at one LR, which a range test does not run (the "one grid step above the oracle" column shows it on the final losses).`,
    "",
  ];
}

/** How the final train and valid losses change from the oracle to the next grid LR up. */
function aboveOracle(r: TaskRegret): string {
  const i = r.grid.findIndex((g) => g.lr === r.oracle.lr);
  const [a, b] = [r.grid[i], r.grid[i + 1]];
  if (!a || !b) return "";
  const change = (x: number, y: number) => (Number.isFinite(y) ? pct((y - x) / x) : "diverged");
  return `${change(a.trainLoss, b.trainLoss)} / ${change(a.mean, b.mean)}`;
}

/**
 * What limits any suggestion on these tasks: how noisy the oracle is (standard error of its mean over
 * the seeds) and where the LRs within 15% of it lie relative to landmarks of the finder's curve.
 */
function feasibility(results: TaskRegret[]): string[] {
  const medianLr = (r: TaskRegret, name: string, point = false) =>
    median(
      r.curves.map((c) => (point ? c.suggestions[name]?.point[0] : c.suggestions[name]?.lr) ?? Number.NaN),
    );
  const rows = results.map((r) => {
    const near = [...r.grid, ...r.refined.points]
      .filter((g) => Number.isFinite(g.mean) && (g.mean - r.oracle.loss) / r.oracle.loss <= GOAL.worst)
      .map((g) => g.lr);
    return {
      r,
      se: oracleRelativeSe(r),
      band: { lo: Math.min(...near), hi: Math.max(...near) },
      lrMin: medianLr(r, "minimum", true),
      ours: medianLr(r, DEFAULT_FUNC),
      validMin: median(
        r.curves.map((c) => c.validSuggestions?.[`minimum${VALID_SUFFIX}`]?.point[0] ?? Number.NaN),
      ),
      above: aboveOracle(r),
    };
  });
  const withValid = rows.every((x) => Number.isFinite(x.validMin));
  const bands = rows.map((x) => x.band);
  return [
    "### What limits any suggestion here",
    "",
    table(
      [
        "task",
        "noise: s.e. of the oracle's mean / oracle",
        `LRs within ${GOAL.worst * 100}% of the oracle (grid + refined)`,
        "finder minimum lr_min (median of seeds)",
        "that band in units of lr_min",
        `in units of ${DEFAULT_FUNC} (median of seeds)`,
        ...(withValid ? ["in units of the valid curve's minimum (median of seeds)"] : []),
        "one grid step above the oracle: train / valid loss",
      ],
      rows.map((x) => [
        x.r.task,
        `${(100 * x.se).toFixed(0)}%`,
        `${sci(x.band.lo)} … ${sci(x.band.hi)}`,
        sci(x.lrMin),
        inUnits(x.band, x.lrMin),
        inUnits(x.band, x.ours),
        ...(withValid ? [inUnits(x.band, x.validMin)] : []),
        x.above,
      ]),
    ),
    "",
    `A regret smaller than a task's noise column is not resolved by ${results[0]?.curves.length ?? 0} seeds. ` +
      `${overlap(
        bands,
        rows.map((x) => x.lrMin),
        "lr_min",
      )} ` +
      `${overlap(
        bands,
        rows.map((x) => x.ours),
        DEFAULT_FUNC,
      )}` +
      (withValid
        ? ` ${overlap(
            bands,
            rows.map((x) => x.validMin),
            "the valid curve's minimum",
          )}`
        : ""),
    "",
  ];
}

/** The section's markdown, from the study's results (as saved in results/regret.json). */
export function report(results: TaskRegret[], cfg: RegretConfig, quick: boolean, plots: string[]): string {
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
  const ratio = Math.sqrt((cfg.grid[1] as number) / (cfg.grid[0] as number));
  const lines: string[] = [];
  if (quick) {
    lines.push(
      `**Quick run** (\`--quick\`): ${results.length} task${results.length === 1 ? "" : "s"}, ${cfg.grid.length} grid LRs, ${cfg.seeds.length} seed(s): a smoke test of the pipeline, not the result. Run \`pnpm bench regret\` for the full study.`,
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
        methodLabel(s.name),
        ...s.rs.map(pct),
        pct(s.med),
        pct(s.worst),
        ...(cfg.refine ? [pct(s.medRefined), pct(s.worstRefined)] : []),
      ]),
    ),
    "",
    goalLine(summary, DEFAULT_FUNC, "our default suggestion"),
    goalLine(summary, FASTAI_FUNC, "fastai's default suggestion"),
    bestValidGoalLine(summary),
    "",
    ...(cfg.refine && !quick ? [...feasibility(results), ...discussion(results, summary)] : []),
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
        "validating lrFind: valid batches evaluated per seed",
        "seconds: sweep / finders / validating finders (all seeds)",
      ],
      results.map((r) => {
        const sweep = r.stepsPerTraining * cfg.grid.length;
        const one = r.methods.find((m) => m.name === FASTAI_FUNC)?.finderSteps ?? [];
        const rep = r.methods.find((m) => m.name === `${FASTAI_FUNC} ×${cfg.repeats}`)?.finderSteps ?? [];
        const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
        const validRun = r.methods.find((m) => m.name.endsWith(VALID_SUFFIX));
        return [
          r.task,
          r.stepsPerTraining,
          sweep,
          avg(one).toFixed(0),
          avg(rep).toFixed(0),
          `${((100 * avg(one)) / sweep).toFixed(1)}% (×${cfg.repeats}: ${((100 * avg(rep)) / sweep).toFixed(1)}%)`,
          validRun ? avg(validRun.finderValidBatches).toFixed(0) : "—",
          `${r.seconds.grid.toFixed(0)} / ${r.seconds.finder.toFixed(0)} / ${(r.seconds.validFinder ?? 0).toFixed(0)}`,
        ];
      }),
    ),
    "",
    `lrFind runs no validation by default; the validating runs ("${VALID_SUFFIX.trim()}" rows) evaluate the whole validation set after every iteration (inference only, no gradient), and the sweep's trainings each validate once per epoch (neither counted in steps). Either way, the chosen LR must then be trained once more.`,
    "",
    "### Suggested LRs (geometric mean over seeds) and mean valid loss",
    "",
    suggestedLrTable(results, methods),
    "",
    `LR-finder curves (seed 0, training and validation loss) with ${[...PLOTTED, ...PLOTTED_VALID].join(", ")} and the grid oracle marked:`,
    "",
    ...plots.filter(Boolean).map((p) => `- [${basename(p)}](${p})`),
  );
  return lines.join("\n");
}

export default regretSuite({
  name: "regret",
  title: "LR suggestion regret on real data",
  full: FULL,
  quick: QUICK,
  plot,
  render: report,
});
