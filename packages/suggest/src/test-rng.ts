/** Seeded uniform generator in [0, 1) (mulberry32), so noisy test curves are reproducible. */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded standard normal draws (Box–Muller over `uniform`). */
export function normal(seed: number): () => number {
  const u = uniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Log-spaced LRs `10^(from + i·step)`, so each index has a distinct, exactly known LR. */
export function logLrs(n: number, from = -4, step = 0.25): number[] {
  return Array.from({ length: n }, (_, i) => 10 ** (from + i * step));
}

/** The Recorder's smoothing: debiased exponential moving average with beta 0.98. */
export function smooth(raw: readonly number[], beta = 0.98): number[] {
  let val = 0;
  return raw.map((x, i) => {
    val = beta * val + (1 - beta) * x;
    return val / (1 - beta ** (i + 1));
  });
}
