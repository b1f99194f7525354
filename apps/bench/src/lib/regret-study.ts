/**
 * Suggestion regret on one task: a grid of learning rates × seeds with `fitOneCycle` gives the oracle
 * (best mean validation loss), then `lrFind` with each suggestion function picks an LR per seed, which
 * is trained with the same budget and seed. Every training is cached by (seed, lr), so a suggestion
 * that lands on a grid point or on another function's LR is trained once.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { lrFind } from "@sched/callbacks";
import { initBackend } from "@sched/learner";
import { fitOneCycle } from "@sched/policies";
import {
  DEFAULT_SUGGEST_FUNCS,
  halfway,
  minimum,
  type SuggestFunc,
  type Suggestion,
  slide,
  steep,
  valley,
} from "@sched/suggest";
import * as tf from "@tensorflow/tfjs";
import { benchDir, table, writeSection } from "../results.js";
import type { Suite } from "../suite.js";
import { type Task, type TaskData, taskByName } from "../tasks/index.js";
import { argminFinite, geoMean, logGrid, mean, median, pct, regret, sci } from "./stats.js";
import { type TrainResult, train, withLearner } from "./train.js";

/** lrFind's default suggestion (the first of `DEFAULT_SUGGEST_FUNCS`): the goal is stated for it. */
export const DEFAULT_FUNC = DEFAULT_SUGGEST_FUNCS[0]?.name ?? "halfway";
/** fastai's default, which ours replaced: the "before" in every table. */
export const FASTAI_FUNC = "valley";

/** Issue 8's goal for the default suggestion: median regret ≤ 5% and worst ≤ 15% across the tasks. */
export const GOAL = { median: 0.05, worst: 0.15 } as const;

/** A method's name as the tables show it: the two defaults in bold and marked. */
export function methodLabel(name: string): string {
  if (name === DEFAULT_FUNC) return `**${name}** (default)`;
  if (name === FASTAI_FUNC) return `**${name}** (fastai's default)`;
  return name;
}

export interface RegretConfig {
  grid: readonly number[];
  seeds: readonly number[];
  /** Suggestion functions; each is run once per seed, and again with `repeats` (the median of k runs). */
  funcs: readonly SuggestFunc[];
  repeats: number;
  /** Also train at the geometric midpoints next to the best grid LR (a finer oracle, reported beside). */
  refine: boolean;
  /**
   * Suggestion functions also read from the finder's validation curve (`lrFind` with
   * `validBatches: Infinity, suggestOn: "valid"`), one run per seed; reported as "<name> (valid)".
   */
  validFuncs: readonly SuggestFunc[];
  /**
   * On tasks with a seeded random split (`task.randomSplit`), seed s also draws split s, so the oracle
   * and the regret are averages over splits rather than properties of one small validation set.
   */
  splitPerSeed: boolean;
}

/** One point of the sweep: a learning rate and its validation loss per seed. */
export interface GridPoint {
  lr: number;
  /** Final validation loss per seed. */
  losses: number[];
  mean: number;
  /** Final-epoch training loss, mean over the seeds (to tell overfitting from failing to train). */
  trainLoss: number;
}

/** One suggestion method (a function, alone or with repeats) on one task. */
export interface MethodResult {
  name: string;
  /** Suggested LR per seed. */
  lrs: number[];
  /** Validation loss after training at that LR, per seed. */
  losses: number[];
  mean: number;
  /** Against the grid oracle (the definition) and against the refined oracle. */
  regret: number;
  regretRefined: number;
  /** LR-finder iterations that ran, per seed (repeats: all k runs). */
  finderSteps: number[];
  /** Validation batches the finder evaluated, per seed (0 for training-curve methods). */
  finderValidBatches: number[];
}

/** The finder's curve of one seed (single run), for plots and later comparison. */
export interface FinderCurve {
  seed: number;
  lrs: number[];
  losses: number[];
  suggestions: Record<string, Suggestion>;
  diagnostics: string[];
  /** The smoothed validation loss per iteration of the validating run (same seed, same batches). */
  validLosses?: number[];
  /** Suggestions read from `validLosses`, keyed "<name> (valid)". */
  validSuggestions?: Record<string, Suggestion>;
}

export interface TaskRegret {
  task: string;
  describe: string;
  /** True when each seed trained and validated on its own split (see `RegretConfig.splitPerSeed`). */
  splitPerSeed?: boolean;
  epochs: number;
  bs: number;
  /** Optimizer steps of one training (the budget). */
  stepsPerTraining: number;
  grid: GridPoint[];
  oracle: { lr: number; loss: number; atEdge: boolean };
  refined: { lr: number; loss: number; points: GridPoint[] };
  methods: MethodResult[];
  curves: FinderCurve[];
  /** Seconds: `finder` covers the training-curve runs, `validFinder` the validating runs. */
  seconds: { grid: number; refine: number; finder: number; validFinder: number; suggestions: number };
}

/** Standard error of the oracle's mean valid loss over the seeds, relative to the oracle (its noise). */
export function oracleRelativeSe(r: TaskRegret): number {
  const xs = r.grid.find((g) => g.lr === r.oracle.lr)?.losses ?? [];
  const m = r.oracle.loss;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return sd / Math.sqrt(Math.max(1, xs.length)) / m;
}

const now = () => performance.now() / 1000;

/** Runs the whole study on `task` (the data is loaded here and freed at the end). */
export async function taskRegret(task: Task, cfg: RegretConfig, log = console.log): Promise<TaskRegret> {
  const perSeed = cfg.splitPerSeed && task.randomSplit;
  const loaded = new Map<number, TaskData>();
  /** The data seed `seed` trains on: its own split when `perSeed`, otherwise the task's usual one. */
  const dataOf = (seed: number): TaskData => {
    const key = perSeed ? seed : -1;
    let d = loaded.get(key);
    if (!d) {
      d = perSeed ? task.load(seed) : task.load();
      loaded.set(key, d);
    }
    return d;
  };
  const cache = new Map<string, TrainResult>();
  const trainAt = async (seed: number, lr: number): Promise<TrainResult> => {
    const key = `${seed}:${lr}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const r = await train(task, dataOf(seed), seed, (learn) =>
      fitOneCycle(learn, task.epochs, { lrMax: lr }),
    );
    cache.set(key, r);
    return r;
  };
  const point = async (lr: number): Promise<GridPoint> => {
    const losses: number[] = [];
    const train: number[] = [];
    for (const s of cfg.seeds) {
      const r = await trainAt(s, lr);
      losses.push(r.validLoss);
      train.push(r.history[r.history.length - 1]?.[0] ?? Number.NaN);
    }
    return { lr, losses, mean: mean(losses), trainLoss: mean(train) };
  };
  try {
    let t0 = now();
    const grid: GridPoint[] = [];
    for (const lr of cfg.grid) {
      grid.push(await point(lr));
      log(`  ${task.name} grid lr=${lr.toExponential(2)} valid=${grid[grid.length - 1]?.mean.toFixed(4)}`);
    }
    const gridSeconds = now() - t0;
    const best = argminFinite(grid.map((g) => g.mean));
    if (best < 0) throw new Error(`bench: every grid LR diverged on ${task.name}`);
    const oracle = grid[best] as GridPoint;

    t0 = now();
    const refinePoints: GridPoint[] = [];
    if (cfg.refine) {
      for (const j of [best - 1, best + 1]) {
        const other = grid[j];
        if (other) refinePoints.push(await point(Math.sqrt(other.lr * oracle.lr)));
      }
    }
    const candidates = [oracle, ...refinePoints];
    const refined = candidates[argminFinite(candidates.map((g) => g.mean))] as GridPoint;
    const refineSeconds = now() - t0;

    t0 = now();
    const names = cfg.funcs.map((f) => f.name);
    const repName = (n: string) => `${n} ×${cfg.repeats}`;
    const validName = (n: string) => `${n} (valid)`;
    const validNames = cfg.validFuncs.map((f) => f.name);
    const picks = new Map<string, { lrs: number[]; steps: number[]; validBatches: number[] }>();
    for (const n of [...names, ...names.map(repName), ...validNames.map(validName)])
      picks.set(n, { lrs: [], steps: [], validBatches: [] });
    const first = dataOf(cfg.seeds[0] ?? 0);
    const nValid = Math.ceil((first.valid[0].shape[0] as number) / task.bs);
    let validFinderSeconds = 0;
    const curves: FinderCurve[] = [];
    for (const seed of cfg.seeds) {
      const data = dataOf(seed);
      const one = await withLearner(task, data, seed, (l) => lrFind(l, { suggestFuncs: cfg.funcs }));
      const rep = await withLearner(task, data, seed, (l) =>
        lrFind(l, { suggestFuncs: cfg.funcs, repeats: cfg.repeats }),
      );
      const repSteps = (rep.repeats?.runs ?? []).reduce((a, r) => a + r.stop.iterations, 0);
      for (const n of names) {
        picks.get(n)?.lrs.push(one[n] as number);
        picks.get(n)?.steps.push(one.curve.lrs.length);
        picks.get(n)?.validBatches.push(0);
        picks.get(repName(n))?.lrs.push(rep[n] as number);
        picks.get(repName(n))?.steps.push(repSteps);
        picks.get(repName(n))?.validBatches.push(0);
      }
      const curve: FinderCurve = {
        seed,
        lrs: one.curve.lrs,
        losses: one.curve.losses,
        suggestions: { ...one.suggestions },
        diagnostics: one.diagnostics.map((d) => d.code),
      };
      if (validNames.length > 0) {
        const tv = now();
        const val = await withLearner(task, data, seed, (l) =>
          lrFind(l, {
            suggestFuncs: cfg.validFuncs,
            validBatches: Number.POSITIVE_INFINITY,
            suggestOn: "valid",
          }),
        );
        validFinderSeconds += now() - tv;
        // Validation must not touch training: the same seed gives the same training curve.
        if (val.curve.losses.some((x, i) => x !== one.curve.losses[i])) {
          throw new Error(
            `bench: validating changed the finder's training curve on ${task.name}, seed ${seed}`,
          );
        }
        curve.validLosses = val.curve.validLosses ?? [];
        curve.validSuggestions = {};
        for (const n of validNames) {
          picks.get(validName(n))?.lrs.push(val[n] as number);
          picks.get(validName(n))?.steps.push(val.curve.lrs.length);
          picks.get(validName(n))?.validBatches.push(val.curve.lrs.length * nValid);
          const sug = val.suggestions[n];
          if (sug) curve.validSuggestions[validName(n)] = sug;
        }
      }
      curves.push(curve);
    }
    const finderSeconds = now() - t0 - validFinderSeconds;

    t0 = now();
    const methods: MethodResult[] = [];
    for (const [name, pick] of picks) {
      const losses: number[] = [];
      for (const [i, seed] of cfg.seeds.entries())
        losses.push((await trainAt(seed, pick.lrs[i] as number)).validLoss);
      const m = mean(losses);
      methods.push({
        name,
        lrs: pick.lrs,
        losses,
        mean: m,
        regret: regret(m, oracle.mean),
        regretRefined: regret(m, refined.mean),
        finderSteps: pick.steps,
        finderValidBatches: pick.validBatches,
      });
      log(
        `  ${task.name} ${name}: lr ${pick.lrs.map((x) => x.toExponential(1)).join(" ")} valid=${m.toFixed(4)}`,
      );
    }
    const suggestionSeconds = now() - t0;
    const firstRun = cache.values().next().value as TrainResult;
    return {
      task: task.name,
      describe: task.describe,
      splitPerSeed: perSeed,
      epochs: task.epochs,
      bs: task.bs,
      stepsPerTraining: firstRun.steps,
      grid,
      oracle: { lr: oracle.lr, loss: oracle.mean, atEdge: best === 0 || best === grid.length - 1 },
      refined: { lr: refined.lr, loss: refined.mean, points: refinePoints },
      methods,
      curves,
      seconds: {
        grid: gridSeconds,
        refine: refineSeconds,
        finder: finderSeconds,
        validFinder: validFinderSeconds,
        suggestions: suggestionSeconds,
      },
    };
  } finally {
    for (const d of loaded.values()) d.dispose();
  }
}

/** A study over several tasks: the config plus the task names, in run order. */
export type StudyConfig = RegretConfig & { tasks: readonly string[] };

/**
 * Runs `taskRegret` on each of `cfg.tasks` in turn, logging progress; `after` sees each task's result
 * as soon as it is done (e.g. to plot it). Returns the results and the wall time in seconds.
 */
export async function runStudy(
  cfg: StudyConfig,
  after: (r: TaskRegret) => Promise<unknown> = async () => {},
): Promise<{ results: TaskRegret[]; seconds: number }> {
  const t0 = now();
  const results: TaskRegret[] = [];
  for (const name of cfg.tasks) {
    const r = await taskRegret(taskByName(name), cfg);
    results.push(r);
    await after(r);
    console.log(`${name}: ${(now() - t0).toFixed(0)} s so far`);
  }
  return { results, seconds: now() - t0 };
}

/** What results/<suite>.json keeps of a study (suggestion functions by name). */
export function studyJson(
  backend: string,
  quick: boolean,
  cfg: StudyConfig,
  seconds: number,
  results: TaskRegret[],
) {
  const config = {
    ...cfg,
    funcs: cfg.funcs.map((f) => f.name),
    validFuncs: cfg.validFuncs.map((f) => f.name),
  };
  return { backend, quick, config, seconds, tasks: results };
}

/** Every suggestion function the studies compare: fastai's four and ours. */
export const STUDY_FUNCS: readonly SuggestFunc[] = [valley, slide, minimum, steep, halfway];

/**
 * The 10-seed study of regret-seeds, regret-splits and regret-heldout: the main study's grid (10 LRs,
 * 1e-4 … 10^-0.5) and functions, alone, ×3 and on the validation curve, refined; 10 seeds because the
 * small tasks' oracles are too noisy with 3. `splitPerSeed`: see `RegretConfig`.
 */
export function tenSeedStudy(tasks: readonly string[], splitPerSeed = false): StudyConfig {
  return {
    tasks,
    splitPerSeed,
    grid: logGrid(1e-4, 10 ** -0.5, 10),
    seeds: Array.from({ length: 10 }, (_, i) => i),
    funcs: STUDY_FUNCS,
    repeats: 3,
    refine: true,
    validFuncs: STUDY_FUNCS,
  };
}

/** A smoke test of a study on one task (4 LRs, 2 seeds, fastai's default and ours): seconds, not a result. */
export function quickStudy(task: string, splitPerSeed = false): StudyConfig {
  return {
    tasks: [task],
    splitPerSeed,
    grid: logGrid(1e-4, 10 ** -0.5, 4),
    seeds: [0, 1],
    funcs: [valley, halfway],
    repeats: 2,
    refine: false,
    validFuncs: [halfway],
  };
}

/** The per-task results a full run of `suite` last wrote (results/<suite>.json); none after a quick run or none. */
export function readStudy(suite: string): TaskRegret[] {
  return readStudyFile(suite)?.data.tasks ?? [];
}

/** A full run's results/<suite>.json as `writeSection` wrote it; undefined if absent or quick. */
export function readStudyFile(
  suite: string,
):
  | { command: string; date: string; machine: string; data: { seconds: number; tasks: TaskRegret[] } }
  | undefined {
  const file = join(benchDir, "results", `${suite}.json`);
  if (!existsSync(file)) return undefined;
  const j = JSON.parse(readFileSync(file, "utf8"));
  return j.data?.quick || !Array.isArray(j.data?.tasks) ? undefined : j;
}

/** A method's regret on a task; NaN when the method did not run there. */
export function regretOf(r: TaskRegret | undefined, name: string): number {
  return r?.methods.find((m) => m.name === name)?.regret ?? Number.NaN;
}

/** Median and worst regret of a method over a set of tasks. */
export function regretSummary(set: readonly TaskRegret[], name: string): { med: number; worst: number } {
  const rs = set.map((r) => regretOf(r, name));
  return { med: median(rs), worst: Math.max(...rs) };
}

/** The methods the 10-seed sections state the goal for: ours, fastai's, and ours on the validation curve. */
export const HEADLINE_FUNCS: readonly string[] = [DEFAULT_FUNC, FASTAI_FUNC, `${DEFAULT_FUNC} (valid)`];

/** One goal line: "- **halfway** (default): median +4.2%, worst +11.1% across 6 tasks: **met**". */
export function goalLine(set: readonly TaskRegret[], name: string): string {
  const s = regretSummary(set, name);
  const met = s.med <= GOAL.median && s.worst <= GOAL.worst;
  return `- ${methodLabel(name)}: median ${pct(s.med)}, worst ${pct(s.worst)} across ${set.length} task${set.length === 1 ? "" : "s"}: **${met ? "met" : "not met"}**`;
}

/** The table of what each method suggested (geometric mean of its LRs over the seeds) and the mean valid loss it got. */
export function suggestedLrTable(results: readonly TaskRegret[], methods: readonly string[]): string {
  return table(
    ["suggestion", ...results.map((r) => r.task)],
    [
      ["oracle (grid)", ...results.map((r) => `${sci(r.oracle.lr)}: ${r.oracle.loss.toFixed(4)}`)],
      ...methods.map((name) => [
        name,
        ...results.map((r) => {
          const m = r.methods.find((x) => x.name === name);
          if (!m) return "—";
          return `${sci(geoMean(m.lrs))}: ${Number.isFinite(m.mean) ? m.mean.toFixed(4) : "diverged"}`;
        }),
      ]),
    ],
  );
}

/** What sets one regret suite apart from the others: its configs, its plots and its markdown. */
export interface RegretSuiteSpec {
  name: string;
  title: string;
  /** Suites whose JSON the section reads (see `Suite.after`). */
  after?: readonly string[];
  full: StudyConfig;
  quick: StudyConfig;
  /** Draws a task's figure as soon as its study ends; returns the file, relative to the bench. */
  plot?: (r: TaskRegret) => Promise<string>;
  /** The section's markdown, before the wall-time line. */
  render: (results: TaskRegret[], cfg: StudyConfig, quick: boolean, plots: string[]) => string;
}

/** A bench suite that runs a regret study and writes its RESULTS.md section and results/<name>.json. */
export function regretSuite(spec: RegretSuiteSpec): Suite {
  return {
    name: spec.name,
    title: spec.title,
    ...(spec.after ? { after: spec.after } : {}),
    async run({ quick, command }) {
      const backend = await initBackend();
      tf.enableProdMode();
      console.log(`backend: ${backend}`);
      const cfg = quick ? spec.quick : spec.full;
      const plots: string[] = [];
      const draw = spec.plot;
      const { results, seconds } = await runStudy(cfg, async (r) => draw && plots.push(await draw(r)));
      const body = `${spec.render(results, cfg, quick, plots)}\n\nWall time of this suite: ${seconds.toFixed(0)} s.`;
      const json = studyJson(backend, quick, cfg, seconds, results);
      writeSection({ suite: spec.name, title: spec.title, command, backend, body, json });
    },
    async render() {
      const run = readStudyFile(spec.name);
      if (!run) {
        throw new Error(
          `bench: --render needs results/${spec.name}.json from a full run of \`pnpm bench ${spec.name}\`; there is none`,
        );
      }
      const { tasks: results, seconds } = run.data;
      const plots: string[] = [];
      if (spec.plot) for (const r of results) plots.push(await spec.plot(r));
      const body = `${spec.render(results, spec.full, false, plots)}\n\nWall time of this suite: ${seconds.toFixed(0)} s.`;
      writeSection({
        suite: spec.name,
        title: spec.title,
        command: run.command,
        body,
        json: run.data,
        rendered: { date: run.date, machine: run.machine },
      });
    },
  };
}
