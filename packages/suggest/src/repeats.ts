import { SuggestError } from "./errors.js";
import type { Suggestion } from "./types.js";

/** One suggestion function's suggestions over k repeated runs. */
export interface RepeatStats {
  /** Median LR (geometric between the two middle runs when k is even). */
  median: number;
  /** First and third quartiles, interpolated in log10(lr). */
  q1: number;
  q3: number;
  /** Interquartile range `q3 − q1`; `q3 / q1` says how many-fold the runs disagree. */
  iqr: number;
  /** The k suggested LRs, in run order. */
  values: number[];
}

/**
 * Quantile `p` of ascending values, interpolated linearly in log10 (numpy's default method on the
 * logs). A position that falls on a run returns that run's LR exactly.
 */
function logQuantile(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const frac = h - lo;
  const a = sorted[lo] as number;
  if (frac === 0) return a;
  const b = sorted[lo + 1] as number;
  return 10 ** (Math.log10(a) + frac * (Math.log10(b) - Math.log10(a)));
}

/**
 * Aggregates the suggestions of k repeated LR-finder runs (each keyed by function name, as LRs or as
 * `{ lr, point }`) into, per function, the median, the quartiles and the k values. Functions are
 * reported in the first run's order; every run must have the same names.
 */
export function aggregateRepeats(
  runs: ReadonlyArray<Readonly<Record<string, number | Suggestion>>>,
): Record<string, RepeatStats> {
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new SuggestError("aggregateRepeats: runs must be a non-empty array of suggestions keyed by name");
  }
  const names = Object.keys(runs[0] as object);
  if (names.length === 0) throw new SuggestError("aggregateRepeats: runs[0] has no suggestions");
  const out: Record<string, RepeatStats> = {};
  for (const name of names) {
    const values = runs.map((run, i) => {
      const keys = Object.keys(run);
      if (keys.length !== names.length || !(name in run)) {
        throw new SuggestError(
          `aggregateRepeats: runs[${i}] has suggestions [${keys.join(", ")}] but runs[0] has [${names.join(", ")}]`,
        );
      }
      const s = run[name];
      const lr = typeof s === "number" ? s : s?.lr;
      if (typeof lr !== "number" || !(Number.isFinite(lr) && lr > 0)) {
        throw new SuggestError(`aggregateRepeats: runs[${i}].${name} must be a finite LR > 0; got ${lr}`);
      }
      return lr;
    });
    const sorted = [...values].sort((a, b) => a - b);
    const q1 = logQuantile(sorted, 0.25);
    const q3 = logQuantile(sorted, 0.75);
    out[name] = { median: logQuantile(sorted, 0.5), q1, q3, iqr: q3 - q1, values };
  }
  return out;
}
