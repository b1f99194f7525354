import { describe, expect, it } from "vitest";
import { steep } from "./steep.js";
import { logLrs, uniform } from "./test-rng.js";

// lrs = e^i makes ln-spacing 1, so slopes are plain forward differences.
const eLrs = (n: number) => Array.from({ length: n }, (_, i) => Math.exp(i));

describe("steep", () => {
  it("keeps a stable name and needs two points", () => {
    expect(steep.name).toBe("steep");
    expect(steep.minPoints).toBe(2);
  });

  it("picks the left end of the steepest segment", () => {
    // C19's curve [10,8,4,1,4,16]: forward slopes [−2,−4,−3,3,12] → segment 1 (C19's central
    // np.gradient answer is index 2; steep uses forward differences, so 1 is expected here).
    const lrs = eLrs(6);
    expect(steep(lrs, [10, 8, 4, 1, 4, 16], 100)).toEqual({ lr: lrs[1], point: [lrs[1], 8] });
  });

  it("measures slope against ln(lr), not index", () => {
    // lrs [1, 10, 10000], losses [5, 3, 0]: raw drops −2, −3 would pick 1; per ln(lr):
    // −2/ln 10 = −0.87 vs −3/(3 ln 10) = −0.43 → segment 0.
    expect(steep([1, 10, 10000], [5, 3, 0], 100).lr).toBe(1);
  });

  it("a curve that never decreases and a 2-point curve give index 0", () => {
    // Slopes [1, 2] → 0; a single segment → 0.
    expect(steep(eLrs(3), [1, 2, 4], 100).lr).toBe(1);
    expect(steep(eLrs(2), [2, 1], 100).lr).toBe(1);
  });

  it("cuts a NaN tail", () => {
    // Prefix [10, 9, 7] → slopes [−1, −2] → segment 1.
    const lrs = eLrs(5);
    expect(steep(lrs, [10, 9, 7, Number.NaN, Number.NaN], 100).point).toEqual([lrs[1], 9]);
  });

  it("finds the steep drop through bounded seeded noise", () => {
    // Descent by 0.1 per step with one drop of 0.5 between 30 and 31; noise ±0.04 changes any
    // step by ≤ 0.08, so segment 30 stays steepest (log spacing is constant).
    const noise = uniform(5);
    const f = Array.from({ length: 50 }, (_, i) => (i <= 30 ? 4.5 - 0.1 * (i - 10) : 2 - 0.1 * (i - 31)));
    const lrs = logLrs(50);
    expect(
      steep(
        lrs,
        f.map((v) => v + 0.08 * (noise() - 0.5)),
        100,
      ).lr,
    ).toBe(lrs[30]);
  });

  it("on C20's sine curve finds the steepest descent per ln(lr), which is not π", () => {
    // C20 (Lightning) expects π because it differentiates by lr. steep differentiates by ln(lr):
    // d sin(x)/d ln x = x cos x, minimal where cos x = x sin x, i.e. x tan x = 1 on (π, 3π/2).
    // Solve that by bisection here; the grid step 2π/999 bounds the error of the left end.
    const n = 1000;
    const xs = Array.from({ length: n }, (_, i) => (2 * Math.PI * i) / (n - 1)).slice(2, -2);
    let lo = Math.PI + 1e-9;
    let hi = 1.5 * Math.PI - 1e-9;
    for (let k = 0; k < 100; k++) {
      const mid = (lo + hi) / 2;
      if (mid * Math.tan(mid) < 1) lo = mid;
      else hi = mid;
    }
    const { lr } = steep(xs, xs.map(Math.sin), 100);
    expect(Math.abs(lr - lo)).toBeLessThan(1e-2);
    expect(Math.abs(lr - Math.PI)).toBeGreaterThan(0.2);
  });

  it("rejects LRs that are not increasing", () => {
    expect(() => steep([1, 1], [2, 1], 100)).toThrow(/strictly increasing; got lrs\[0\]=1, lrs\[1\]=1/);
  });
});
