/**
 * The recipe both parts of the demo follow: run the LR finder, print its suggestions and what the
 * diagnostics say about the curve, then fit one cycle at the `halfway` suggestion (lrFind's default).
 * The results are plain copies, so the learner can be disposed before the figures are drawn.
 */
import { type LrFindCurve, LrFindError, lrFind } from "@sched/callbacks";
import type { Learner } from "@sched/learner";
import { fitOneCycle } from "@sched/policies";
import {
  analyzeLrFind,
  type Diagnostic,
  halfway,
  type LrFindAnalysis,
  minimum,
  type Suggestion,
  slide,
  steep,
  valley,
} from "@sched/suggest";

/** Where the demo's text goes (stdout by default; the test collects it). */
export type Print = (line: string) => void;

/** How long each step runs. */
export interface Plan {
  /** LR-finder iterations (training batches). */
  numIt: number;
  /** Epochs of the one-cycle fit. */
  epochs: number;
  /** The learning rate used when the finder gives no suggestion, or one its diagnostics distrust. */
  fallbackLr: number;
}

/** What the LR finder found. */
export interface FinderResult {
  lrs: number[];
  losses: number[];
  /** By name, in `SUGGEST_FUNCS` order; empty when the curve was too short to analyse. */
  suggestions: Record<string, Suggestion>;
  diagnostics: Diagnostic[];
  /** Why the run stopped (`completed`, `diverged`, `non-finite`, `stopped`). */
  stop: string;
  /** The LrFindError message when no suggestion could be made. */
  error?: string;
  /** Why some suggestion functions were left out (too few points for them). */
  note?: string;
}

/** A copy of what the Recorder held after the one-cycle fit (what @sched/plot reads). */
export interface FitRecord {
  hps: Record<string, number[]>;
  losses: number[];
  iters: number[];
  values: number[][];
  metricNames: string[];
}

/** One dataset's run: finder, the LR it trained at and why, and the fit. */
export interface ExperimentResult {
  finder: FinderResult;
  lr: number;
  lrSource: string;
  fit: FitRecord;
}

/** lrFind's default suggestion `halfway` (first: it picks the training LR), then fastai's four. */
export const SUGGEST_FUNCS = [halfway, valley, slide, minimum, steep];

/** A row of the epoch table, laid out like the learner's default logger, through `print`. */
export function tableRow(cells: readonly string[]): string {
  return cells
    .map((c) => c.padEnd(Math.max(12, c.length + 2)))
    .join("")
    .trimEnd();
}

/**
 * lrFind runs under `noLogging`, which hides the learner's progress bars; on a terminal this shows
 * its iteration count on stderr instead (a bare bus listener runs even when logging is off).
 * Returns the function that removes it.
 */
function finderTicker(learn: Learner, numIt: number): () => void {
  const stream = process.stderr;
  if (!stream.isTTY || process.env.CI) return () => {};
  const tick = (l: Learner) => {
    if (l.training) stream.write(`\r  lrFind iteration ${l.trainIter}/${numIt}`);
  };
  learn.bus.on("after_batch", tick);
  return () => {
    learn.bus.off("after_batch", tick);
    stream.write("\r\x1b[2K");
  };
}

/** Prints an analysis (suggestions, how the run stopped, diagnostics) and keeps it with its curve. */
function summarize(analysis: LrFindAnalysis, curve: LrFindCurve, print: Print): FinderResult {
  for (const name of analysis.names) {
    const s = analysis.suggestions[name] as Suggestion;
    print(`  ${name.padEnd(8)} ${s.lr.toExponential(2)}   (loss ${s.point[1].toFixed(4)} at the marker)`);
  }
  const { stop } = analysis;
  print(
    `  curve: ${stop.iterations} iterations, stopped: ${stop.reason}, ${analysis.end - analysis.start} points analysed`,
  );
  if (analysis.diagnostics.length === 0) print("  diagnostics: none (the curve looks sound)");
  for (const d of analysis.diagnostics) print(`  diagnostic ${d.code}: ${d.message}`);
  return {
    lrs: curve.lrs,
    losses: curve.losses,
    suggestions: { ...analysis.suggestions },
    diagnostics: [...analysis.diagnostics],
    stop: stop.reason,
  };
}

/**
 * lrFind with halfway and fastai's four functions. A short or diverging run can leave fewer points than `slide`
 * needs (16); then the curve, still in the recorder, is analysed again with the functions that fit,
 * and the message says what was dropped. With fewer than 2 points there is no suggestion at all.
 */
async function findLr(learn: Learner, plan: Plan, print: Print): Promise<FinderResult> {
  print(`lrFind: ${plan.numIt} iterations, lr from 1e-7 to 10 (the model is restored afterwards)`);
  const stopTicker = finderTicker(learn, plan.numIt);
  try {
    const res = await lrFind(learn, { numIt: plan.numIt, suggestFuncs: SUGGEST_FUNCS }).finally(stopTicker);
    return summarize(res.analysis, res.curve, print);
  } catch (err) {
    if (!(err instanceof LrFindError)) throw err;
    const rec = learn.recorder;
    const curve: LrFindCurve = {
      lrs: [...(rec?.lrs ?? [])],
      losses: [...(rec?.losses ?? [])],
      rawLosses: [...(rec?.batchLosses ?? [])],
    };
    // analyzeLrFind needs 2 points whatever the functions; slide needs 16.
    const fitting = SUGGEST_FUNCS.filter((f) => Math.max(2, f.minPoints ?? 2) <= err.points);
    if (fitting.length === 0) {
      print(`  no suggestion: ${err.message}`);
      return {
        lrs: curve.lrs,
        losses: curve.losses,
        suggestions: {},
        diagnostics: [],
        stop: err.reason,
        error: err.message,
      };
    }
    const dropped = SUGGEST_FUNCS.filter((f) => !fitting.includes(f)).map((f) => f.name);
    const note = `${dropped.join(", ")} left out: ${err.message}`;
    print(`  ${note}`);
    const analysis = analyzeLrFind({ ...curve, numIt: plan.numIt }, { suggestFuncs: fitting });
    return { ...summarize(analysis, curve, print), note };
  }
}

/**
 * Why a curve has no usable descent, or undefined: it rose from the start or never fell much
 * (`diverged-early`, `flat-curve`), or the raw loss scatters by as much as the whole descent
 * (`noisy` with ratio >= 1). A suggestion read from such a curve is noise; a milder `noisy` only
 * widens the doubt.
 */
export function distrust(diagnostics: readonly Diagnostic[]): string | undefined {
  const why = diagnostics.flatMap((d) => {
    if (d.code === "diverged-early" || d.code === "flat-curve") return [d.code];
    if (d.code === "noisy" && d.ratio >= 1)
      return [`noisy: scatter ${(100 * d.ratio).toFixed(0)}% of the descent`];
    return [];
  });
  return why.length > 0 ? why.join(", ") : undefined;
}

/** The LR to train at: the halfway suggestion, unless there is none or the diagnostics distrust the curve. */
export function chooseLr(finder: FinderResult, fallbackLr: number): { lr: number; lrSource: string } {
  const suggested = finder.suggestions.halfway?.lr;
  if (suggested === undefined) return { lr: fallbackLr, lrSource: "fallback (no suggestion)" };
  const why = distrust(finder.diagnostics);
  if (why !== undefined)
    return { lr: fallbackLr, lrSource: `fallback: the curve is not to be trusted (${why})` };
  return { lr: suggested, lrSource: "halfway suggestion" };
}

/** lrFind, then fitOneCycle at the halfway suggestion; prints as it goes (epoch table included). */
export async function findThenFit(learn: Learner, plan: Plan, print: Print): Promise<ExperimentResult> {
  learn.logger = (cells) => print(tableRow(cells));
  const finder = await findLr(learn, plan, print);
  const { lr, lrSource } = chooseLr(finder, plan.fallbackLr);
  print(
    `fitOneCycle: ${plan.epochs} epoch${plan.epochs === 1 ? "" : "s"}, lrMax ${lr.toExponential(2)} (${lrSource})`,
  );
  await fitOneCycle(learn, plan.epochs, { lrMax: lr });
  const rec = learn.recorder;
  if (!rec) throw new Error("the learner has no Recorder");
  const fit: FitRecord = {
    hps: Object.fromEntries(Object.entries(rec.hps).map(([k, v]) => [k, [...v]])),
    losses: [...rec.losses],
    iters: [...rec.iters],
    values: rec.values.map((row) => [...row]),
    metricNames: [...rec.metricNames],
  };
  return { finder, lr, lrSource, fit };
}
