/** Small pure helpers of the regret and super-convergence studies. */

/** `n` log-spaced values from `lo` to `hi` inclusive. */
export function logGrid(lo: number, hi: number, n: number): number[] {
  if (!(lo > 0 && hi > lo && Number.isInteger(n) && n >= 2)) {
    throw new Error(`logGrid: need 0 < lo < hi and an integer n >= 2; got ${lo}, ${hi}, ${n}`);
  }
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return Array.from({ length: n }, (_, i) => 10 ** (a + ((b - a) * i) / (n - 1)));
}

/** Mean of the values; NaN (a diverged run) if any value is not finite. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  if (xs.some((x) => !Number.isFinite(x))) return Number.NaN;
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Geometric mean (for learning rates). */
export function geoMean(xs: readonly number[]): number {
  return 10 ** mean(xs.map(Math.log10));
}

/**
 * Relative regret `(loss − oracle) / oracle`: negative when the suggestion beats the grid's best,
 * +Infinity when the suggestion's loss is not finite (its training diverged).
 */
export function regret(loss: number, oracle: number): number {
  if (!(Number.isFinite(oracle) && oracle > 0))
    throw new Error(`regret: oracle must be finite and > 0; got ${oracle}`);
  return Number.isFinite(loss) ? (loss - oracle) / oracle : Number.POSITIVE_INFINITY;
}

/** Median (linear between the two middle values); Infinity sorts last. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Index of the smallest finite value (first on ties), or -1 if there is none. */
export function argminFinite(xs: readonly number[]): number {
  let best = -1;
  xs.forEach((x, i) => {
    if (Number.isFinite(x) && (best < 0 || x < (xs[best] as number))) best = i;
  });
  return best;
}

/** A regret as a percentage with a sign, `∞` for a diverged training. */
export function pct(r: number): string {
  if (!Number.isFinite(r)) return "∞ (diverged)";
  const v = r * 100;
  return `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(1)}%`;
}

/** An LR in short scientific notation (2 significant digits). */
export function sci(x: number): string {
  return Number.isFinite(x) ? x.toExponential(1) : String(x);
}
