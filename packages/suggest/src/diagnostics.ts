import { argmin, median } from "./curve.js";

/** Thresholds of the diagnostics; see the README for what each one means and why its default. */
export interface DiagnosticThresholds {
  /** A fall of the smoothed loss before its minimum below this fraction counts as "no descent". */
  minDescent: number;
  /** With no descent: share of points within `minDescent` of the minimum at or above which the curve is flat. */
  flatSpan: number;
  /** Fewer analysed points than this → `too-few-points`. */
  fewPoints: number;
  /** Raw-loss noise above this fraction of the loss's drop → `noisy`. */
  noiseRatio: number;
}

/** Default thresholds: 5% fall, 50% of the points, 20 points, noise at a quarter of the drop. */
export const DEFAULT_THRESHOLDS: Readonly<DiagnosticThresholds> = Object.freeze({
  minDescent: 0.05,
  flatSpan: 0.5,
  fewPoints: 20,
  noiseRatio: 0.25,
});

/** Every way a range test can end (checked at runtime where a RunStop comes from outside). */
export const STOP_REASONS = ["completed", "diverged", "non-finite", "stopped"] as const;
/** How a run ended, inferred from what it recorded. */
export type StopReason = (typeof STOP_REASONS)[number];

/** How a run ended: `iterations` with a finite loss, and the LR at which it ended. */
export interface RunStop {
  reason: StopReason;
  iterations: number;
  lr: number;
}

/** The loss did not fall before it rose: the ramp starts above the useful range. */
export interface DivergedEarly {
  code: "diverged-early";
  message: string;
  /** Relative fall of the smoothed loss before its minimum. */
  relativeDescent: number;
  stop: RunStop;
}

/** The loss hardly moved over most of the range: the model may already be trained. */
export interface FlatCurve {
  code: "flat-curve";
  message: string;
  relativeDescent: number;
  /** Share of the points within `minDescent` of the minimum. */
  flatSpan: number;
}

/** The suggestions rest on few points. */
export interface TooFewPoints {
  code: "too-few-points";
  message: string;
  points: number;
  recommended: number;
}

/** The raw loss scatters a lot compared with the drop of the curve: one run is not reliable. */
export interface Noisy {
  code: "noisy";
  message: string;
  /** Robust standard deviation of the raw loss around the smoothed curve. */
  noise: number;
  /** Drop of the smoothed loss from its highest point before the minimum to the minimum. */
  drop: number;
  ratio: number;
}

/** A structured warning about an LR-finder curve; `code` tells which. */
export type Diagnostic = DivergedEarly | FlatCurve | TooFewPoints | Noisy;

/** What the diagnostics look at: the analysed window of the run. */
export interface DiagnosisInput {
  lrs: readonly number[];
  losses: readonly number[];
  rawLosses?: readonly number[] | undefined;
  stop: RunStop;
  numIt: number;
  thresholds: DiagnosticThresholds;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const sci = (x: number) => x.toExponential(2);

/**
 * Robust scatter of the raw loss around the smoothed one: MAD of the second differences of
 * `raw − smoothed`, scaled to the standard deviation of independent noise (÷ √6). Second differences
 * cancel the locally linear part of the curve and of the smoothing lag, so a steep but clean descent
 * is not mistaken for noise. NaN with fewer than 4 points.
 */
export function rawNoise(raw: readonly number[], smoothed: readonly number[]): number {
  const r = raw.map((x, i) => x - (smoothed[i] as number));
  const d2: number[] = [];
  for (let i = 1; i + 1 < r.length; i++) {
    const d = (r[i + 1] as number) - 2 * (r[i] as number) + (r[i - 1] as number);
    if (Number.isFinite(d)) d2.push(d);
  }
  if (d2.length < 2) return Number.NaN;
  const m = median(d2);
  return (1.4826 * median(d2.map((d) => Math.abs(d - m)))) / Math.sqrt(6);
}

/** The diagnostics of one analysed window, in a fixed order: shape, points, noise. */
export function diagnose(input: DiagnosisInput): Diagnostic[] {
  const { lrs, losses, stop, numIt, thresholds: t } = input;
  const out: Diagnostic[] = [];
  const n = losses.length;
  const iMin = Math.max(0, argmin(losses));
  const lMin = losses[iMin] as number;
  const lPre = Math.max(...losses.slice(0, iMin + 1));
  const drop = lPre - lMin;
  const relativeDescent = lPre === 0 ? 0 : drop / Math.abs(lPre);
  const band = lMin + t.minDescent * Math.abs(lMin);
  const flatSpan = losses.filter((l) => l <= band).length / n;
  const range = `lr ${sci(lrs[0] as number)} to ${sci(lrs[n - 1] as number)}`;
  const stopped =
    stop.reason === "diverged" || stop.reason === "non-finite"
      ? ` It diverged after ${stop.iterations} of ${numIt} iterations (lr=${sci(stop.lr)}).`
      : "";

  if (relativeDescent < t.minDescent) {
    if (flatSpan >= t.flatSpan) {
      out.push({
        code: "flat-curve",
        message:
          `the smoothed loss fell by only ${pct(relativeDescent)} over the analysed range (${range}) and stayed ` +
          `within ${pct(t.minDescent)} of its minimum for ${pct(flatSpan)} of the points: the model may already ` +
          "be trained. Lower startLr to look for a descent, or skip the LR finder and keep the current LR.",
        relativeDescent,
        flatSpan,
      });
    } else {
      out.push({
        code: "diverged-early",
        message:
          `the smoothed loss fell by only ${pct(relativeDescent)} before it rose, from lr=${sci(lrs[0] as number)} ` +
          `on: the LR ramp starts above the useful range. Lower startLr.${stopped}`,
        relativeDescent,
        stop,
      });
    }
  }

  if (n < t.fewPoints) {
    const fix =
      stop.reason === "diverged" || stop.reason === "non-finite"
        ? `lower startLr so that more of the ramp comes before the divergence.${stopped}`
        : "raise numIt.";
    out.push({
      code: "too-few-points",
      message: `only ${n} points were analysed (fewer than ${t.fewPoints}): the suggestions are coarse; ${fix}`,
      points: n,
      recommended: t.fewPoints,
    });
  }

  if (input.rawLosses && relativeDescent >= t.minDescent) {
    const noise = rawNoise(input.rawLosses, losses);
    const ratio = noise / drop;
    if (Number.isFinite(ratio) && ratio > t.noiseRatio) {
      out.push({
        code: "noisy",
        message:
          `the raw loss scatters by about ${noise.toPrecision(3)} around the smoothed curve, ${pct(ratio)} of its ` +
          `${drop.toPrecision(3)} drop (above ${pct(t.noiseRatio)}): one run's suggestion may move between runs. ` +
          "Use repeats (e.g. 5) and take the median.",
        noise,
        drop,
        ratio,
      });
    }
  }
  return out;
}
