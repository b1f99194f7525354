/** Index of the first non-finite value, or `values.length` when all are finite. */
export function firstNonFinite(values: readonly number[]): number {
  const i = values.findIndex((v) => !Number.isFinite(v));
  return i < 0 ? values.length : i;
}

/** Index of the first smallest value; NaN never wins. Returns -1 when no value compares (all NaN). */
export function argmin(values: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isNaN(v) && (best < 0 || v < (values[best] as number))) best = i;
  }
  return best;
}

/**
 * `np.gradient` of a float32 array: one-sided differences at the ends, central differences inside,
 * every intermediate rounded to float32 like the reference's float32 tensors. Needs 2+ values.
 */
export function gradient32(values: readonly number[]): number[] {
  const f = values.map(Math.fround);
  const n = f.length;
  const at = (i: number) => f[i] as number;
  return f.map((_, i) => {
    if (i === 0) return Math.fround(at(1) - at(0));
    if (i === n - 1) return Math.fround(at(n - 1) - at(n - 2));
    return Math.fround(Math.fround(at(i + 1) - at(i - 1)) / 2);
  });
}

/** `np.interp`: piecewise-linear interpolation over increasing `xs`, clamped to the end values outside. */
export function interp(x: number, xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const last = n - 1;
  if (x <= (xs[0] as number)) return ys[0] as number;
  if (x >= (xs[last] as number)) return ys[last] as number;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo] as number;
  const x1 = xs[hi] as number;
  const y0 = ys[lo] as number;
  const y1 = ys[hi] as number;
  return y0 + ((x - x0) / (x1 - x0)) * (y1 - y0);
}

/** Median of finite values (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
