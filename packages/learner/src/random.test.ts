import { describe, expect, it } from "vitest";
import { deriveSeed, RandomError, Rng, randomSeed } from "./random.js";

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextUint32());
}

describe("Rng", () => {
  it("is reproducible for a seed and differs between seeds", () => {
    expect(draws(new Rng(42), 20)).toEqual(draws(new Rng(42), 20));
    expect(draws(new Rng(42), 20)).not.toEqual(draws(new Rng(43), 20));
    // Seeds beyond 32 bits are folded, not truncated.
    expect(draws(new Rng(2 ** 32 + 5), 5)).not.toEqual(draws(new Rng(5), 5));
    expect(draws(new Rng(-1), 5)).not.toEqual(draws(new Rng(0), 5));
  });

  it("rejects seeds that are not safe integers, naming the value", () => {
    expect(() => new Rng(1.5)).toThrow(RandomError);
    expect(() => new Rng(Number.NaN)).toThrow(/seed must be a safe integer, got NaN/);
    expect(() => deriveSeed(1, 0.5)).toThrow(/derive key must be a safe integer, got 0.5/);
  });

  it("uniform stays in [low, high) with the right mean and variance", () => {
    const rng = new Rng(1);
    const xs = Array.from({ length: 50_000 }, () => rng.uniform(-2, 3));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...xs)).toBeLessThan(3);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    // Uniform(-2, 3): mean 0.5, variance 25/12; standard error of the mean ≈ 0.0065.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(variance - 25 / 12)).toBeLessThan(0.05);
  });

  it("normal has the requested mean and standard deviation, and is roughly symmetric", () => {
    const xs = new Rng(7).normalArray(50_000, 3, 2);
    let sum = 0;
    for (const x of xs) sum += x;
    const mean = sum / xs.length;
    let sq = 0;
    let within1 = 0;
    for (const x of xs) {
      sq += (x - mean) ** 2;
      if (Math.abs(x - 3) < 2) within1++;
    }
    expect(Math.abs(mean - 3)).toBeLessThan(0.05);
    expect(Math.abs(Math.sqrt(sq / xs.length) - 2)).toBeLessThan(0.05);
    // P(|Z| < 1) = 0.6827 for a standard normal.
    expect(Math.abs(within1 / xs.length - 0.6827)).toBeLessThan(0.01);
  });

  it("int covers [0, n) evenly and rejects bad n", () => {
    const rng = new Rng(3);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) {
      const k = rng.int(6);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => rng.int(0)).toThrow(/n must be an integer in \[1, 2\^32\], got 0/);
    expect(() => rng.int(2.5)).toThrow(RandomError);
  });

  it("permutation contains every index exactly once", () => {
    const p = new Rng(11).permutation(1000);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(new Rng(11).permutation(0).length).toBe(0);
    expect(() => new Rng(1).permutation(-1)).toThrow(/size must be a non-negative integer, got -1/);
  });

  it("shuffle makes every ordering of 3 items about equally likely", () => {
    const rng = new Rng(5);
    const seen = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const key = rng.shuffle(["a", "b", "c"]).join("");
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(6);
    for (const c of seen.values()) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it("derive gives reproducible, independent streams that ignore draws already made", () => {
    const a = new Rng(9);
    const before = draws(a.derive("order", 0), 10);
    draws(a, 100);
    expect(draws(a.derive("order", 0), 10)).toEqual(before);
    expect(draws(a.derive("order", 1), 10)).not.toEqual(before);
    expect(draws(a.derive("item", 0), 10)).not.toEqual(before);
    expect(draws(a.derive("order", 0), 10)).not.toEqual(draws(new Rng(9), 10));
    expect(deriveSeed(9, "order", 0)).toBe(a.derive("order", 0).seed);
  });

  it("derived streams are uncorrelated with their neighbours", () => {
    // Correlation of the first draws of streams k and k+1 over many k: ≈ 0 (sd ≈ 1/sqrt(n) = 0.01).
    const n = 10_000;
    const xs = Array.from({ length: n + 1 }, (_, k) => new Rng(deriveSeed(123, k)).uniform());
    let sxy = 0;
    let sx = 0;
    let sxx = 0;
    for (let k = 0; k < n; k++) {
      const x = xs[k] ?? 0;
      const y = xs[k + 1] ?? 0;
      sx += x;
      sxx += x * x;
      sxy += x * y;
    }
    const mean = sx / n;
    const corr = (sxy / n - mean * mean) / (sxx / n - mean * mean);
    expect(Math.abs(corr)).toBeLessThan(0.04);
  });

  it("randomSeed gives usable uint32 seeds", () => {
    const s = randomSeed();
    expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
    expect(new Rng(s).seed).toBe(s);
  });
});
