/** Timing helpers: candidates run interleaved, round by round, so machine noise hits them alike. */

/** Nanoseconds from a monotonic clock. */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/** Median of a list (the list is copied, not sorted in place). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median: empty list");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Interquartile range as [q1, q3] by linear interpolation. */
export function quartiles(xs: readonly number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => {
    const i = p * (s.length - 1);
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (i - lo);
  };
  return [q(0.25), q(0.75)];
}

export type Candidate = () => unknown | Promise<unknown>;

export interface Comparison {
  /** Median seconds per call, per candidate. */
  seconds: Record<string, number>;
  /** Median over rounds of (candidate time / baseline time), measured in the same round. */
  ratio: Record<string, number>;
  rounds: number;
}

/**
 * Times each candidate `reps` calls per round, alternating the order every round, and reports the
 * median per-call time and the median same-round ratio to `baseline` (the first key by default).
 */
export async function compare(
  candidates: Record<string, Candidate>,
  opts: { rounds?: number; reps?: number; warmup?: number; baseline?: string } = {},
): Promise<Comparison> {
  const names = Object.keys(candidates);
  const { rounds = 7, reps = 1, warmup = 1 } = opts;
  const baseline = opts.baseline ?? (names[0] as string);
  for (const n of names) for (let i = 0; i < warmup; i++) await (candidates[n] as Candidate)();
  const per: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const ratios: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...names].reverse() : names;
    const t: Record<string, number> = {};
    for (const n of order) {
      const f = candidates[n] as Candidate;
      const t0 = nowNs();
      for (let i = 0; i < reps; i++) await f();
      t[n] = (nowNs() - t0) / 1e9 / reps;
      (per[n] as number[]).push(t[n] as number);
    }
    for (const n of names) (ratios[n] as number[]).push((t[n] as number) / (t[baseline] as number));
  }
  return {
    seconds: Object.fromEntries(names.map((n) => [n, median(per[n] as number[])])),
    ratio: Object.fromEntries(names.map((n) => [n, median(ratios[n] as number[])])),
    rounds,
  };
}
