import { describe, expect, test } from "vitest";
import { DebiasedEma } from "./debiased-ema.js";

describe("DebiasedEma", () => {
  test("the first value comes back unchanged and a constant stream stays constant (debiasing)", () => {
    const ema = new DebiasedEma(0.98);
    expect(ema.push(3)).toBeCloseTo(3, 12);
    for (let i = 0; i < 50; i++) expect(ema.push(3)).toBeCloseTo(3, 12);
  });

  test("matches the closed form Σ β^(n−i)(1−β)x_i / (1 − β^n) within 1e-12", () => {
    const beta = 0.9;
    const xs = [5, 1, 4, 1, 5, 9, 2, 6];
    const ema = new DebiasedEma(beta);
    xs.forEach((_, n) => {
      const got = ema.push(xs[n] as number);
      let num = 0;
      for (let i = 0; i <= n; i++) num += beta ** (n - i) * (1 - beta) * (xs[i] as number);
      expect(got).toBeCloseTo(num / (1 - beta ** (n + 1)), 12);
    });
  });

  test("a new instance starts over: two streams do not share state", () => {
    const a = new DebiasedEma(0.5);
    a.push(10);
    const b = new DebiasedEma(0.5);
    expect(b.push(2)).toBe(2);
    expect(a.push(2)).toBeCloseTo((0.5 * 0.5 * 10 + 0.5 * 2) / (1 - 0.25), 12);
  });
});
