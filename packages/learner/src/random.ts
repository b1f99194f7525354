/**
 * A small seeded PRNG for everything in the package that must be reproducible: shuffles, splits,
 * synthetic data, augmentations. Not cryptographic.
 *
 * Generator: a 32-bit Weyl sequence (increment 0x9e3779b9) passed through the murmur3 `fmix32`
 * finaliser ("splitmix32"). Period 2^32, every output equally likely, and the state is a single
 * integer, so deriving a fresh, statistically independent stream is just hashing (seed, keys).
 */

/** Bad arguments to the random helpers (seed, bounds, sizes). */
export class RandomError extends Error {
  override name = "RandomError";
}

const GOLDEN = 0x9e3779b9;
const TWO_POW_32 = 4294967296;

function fmix32(h: number): number {
  let z = h | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function hashString(s: string): number {
  // FNV-1a over UTF-16 code units, then finalised: strings only name streams, speed is irrelevant.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

function toUint32(seed: number, argName: string): number {
  if (!Number.isSafeInteger(seed)) {
    throw new RandomError(`${argName} must be a safe integer, got ${String(seed)}`);
  }
  // Fold the high bits in, so seeds that differ only above bit 32 still give different streams.
  const hi = Math.floor(seed / TWO_POW_32);
  return (seed ^ (hi === 0 ? 0 : fmix32(hi))) >>> 0;
}

function keyToUint32(key: number | string): number {
  return typeof key === "string" ? hashString(key) : toUint32(key, "derive key");
}

/**
 * A seed for a new independent stream, as a pure function of `seed` and `keys`
 * (e.g. `deriveSeed(seed, "order", epoch)`): same inputs, same stream; any change, unrelated stream.
 */
export function deriveSeed(seed: number, ...keys: readonly (number | string)[]): number {
  let h = fmix32(toUint32(seed, "seed") ^ 0x5bd1e995);
  for (const key of keys) h = fmix32((h + GOLDEN) ^ fmix32(keyToUint32(key) + 0x7f4a7c15));
  return h;
}

/** A fresh non-reproducible seed, for when the caller gives none (read it back to reproduce a run). */
export function randomSeed(): number {
  return Math.floor(Math.random() * TWO_POW_32);
}

/** A seeded stream of random numbers; `derive` gives independent child streams. */
export class Rng {
  /** The seed this stream started from (a uint32). */
  readonly seed: number;
  #state: number;
  #spareNormal: number | undefined;

  constructor(seed: number = randomSeed()) {
    this.seed = toUint32(seed, "seed");
    this.#state = this.seed;
  }

  /** The next raw 32-bit output, uniform over [0, 2^32). */
  nextUint32(): number {
    this.#state = (this.#state + GOLDEN) | 0;
    return fmix32(this.#state);
  }

  /** Uniform in [low, high); 32 bits of resolution, which is what float32 data can use. */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * (this.nextUint32() / TWO_POW_32);
  }

  /** Uniform integer in [0, n), unbiased (rejection of the short last block). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new RandomError(`int(n): n must be an integer in [1, 2^32], got ${String(n)}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Normal sample (Box–Muller); the second value of each pair is kept for the next call. */
  normal(mean = 0, std = 1): number {
    const spare = this.#spareNormal;
    if (spare !== undefined) {
      this.#spareNormal = undefined;
      return mean + std * spare;
    }
    const u1 = 1 - this.uniform(); // in (0, 1]: log stays finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.#spareNormal = r * Math.sin(theta);
    return mean + std * r * Math.cos(theta);
  }

  /** `n` uniform samples in [low, high) as float32. */
  uniformArray(n: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(checkSize(n));
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
    return out;
  }

  /** `n` normal samples as float32. */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(checkSize(n));
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(checkSize(n));
    for (let i = 0; i < out.length; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** Shuffles `arr` in place (Fisher–Yates) and returns it. */
  shuffle<A extends { length: number; [i: number]: unknown }>(arr: A): A {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /** An independent stream derived from this stream's seed and `keys`; unaffected by draws made so far. */
  derive(...keys: readonly (number | string)[]): Rng {
    return new Rng(deriveSeed(this.seed, ...keys));
  }
}

function checkSize(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RandomError(`size must be a non-negative integer, got ${n}`);
  return n;
}
