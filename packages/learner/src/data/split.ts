import { deriveSeed, Rng, randomSeed } from "../random.js";
import { DataError } from "./errors.js";

/** Train and valid item indices, each ascending. */
export interface Split {
  train: Int32Array;
  valid: Int32Array;
}

/**
 * A seeded random split of `n` items: `floor(validPct · n)` go to valid (the reference's
 * `RandomSplitter`; a 1e-9 slack keeps e.g. 0.29 · 100 at 29). Both parts must be non-empty.
 */
export function randomSplit(n: number, validPct: number, seed: number = randomSeed()): Split {
  if (!Number.isInteger(n) || n < 2) throw new DataError(`randomSplit: n must be an integer >= 2, got ${n}`);
  if (!(validPct > 0 && validPct < 1)) {
    throw new DataError(`validPct must be a number in (0, 1), got ${String(validPct)}`);
  }
  const nValid = Math.floor(validPct * n + 1e-9);
  if (nValid < 1 || nValid >= n) {
    throw new DataError(
      `validPct ${validPct} of ${n} items leaves ${nValid} valid and ${n - nValid} train items`,
    );
  }
  const perm = new Rng(deriveSeed(seed, "split")).permutation(n);
  return {
    valid: perm.slice(0, nValid).sort(),
    train: perm.slice(nValid).sort(),
  };
}
