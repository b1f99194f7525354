/** Feature preparation: standardisation with training statistics only, and seeded splits. */
import { Rng } from "@sched/learner";

/** Per-column mean and standard deviation of `rows` (a constant column gets std 1, so it maps to 0). */
export function columnStats(rows: readonly number[][]): { mean: number[]; std: number[] } {
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of rows)
    for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (r[j] as number) / rows.length;
  for (const r of rows) {
    for (let j = 0; j < d; j++) std[j] = (std[j] as number) + ((r[j] as number) - (mean[j] as number)) ** 2;
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt((std[j] as number) / rows.length);
    std[j] = s > 1e-12 ? s : 1;
  }
  return { mean, std };
}

/** `(x − mean) / std` of every row, with the training set's statistics, as one flat Float32Array. */
export function standardize(
  rows: readonly number[][],
  stats: { mean: number[]; std: number[] },
): Float32Array {
  const d = stats.mean.length;
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) {
      out[i * d + j] = ((r[j] as number) - (stats.mean[j] as number)) / (stats.std[j] as number);
    }
  });
  return out;
}

/** A seeded split of `n` indices: the first `floor(validPct·n)` of a permutation are the valid set. */
export function splitIndices(
  n: number,
  validPct: number,
  seed: number,
): { train: number[]; valid: number[] } {
  const perm = Array.from(new Rng(seed).permutation(n));
  const nValid = Math.floor(validPct * n);
  return {
    valid: perm.slice(0, nValid).sort((a, b) => a - b),
    train: perm.slice(nValid).sort((a, b) => a - b),
  };
}
