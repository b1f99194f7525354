import { describe, expect, it } from "vitest";
import { argminFinite, geoMean, logGrid, mean, median, pct, regret } from "./stats.js";

describe("stats helpers", () => {
  it("logGrid spans lo..hi with a constant ratio", () => {
    const g = logGrid(1e-4, 1e-1, 4);
    expect(g).toHaveLength(4);
    for (const [i, v] of [1e-4, 1e-3, 1e-2, 1e-1].entries()) expect(g[i]).toBeCloseTo(v, 12);
    expect(() => logGrid(1, 0.1, 3)).toThrow(/0 < lo < hi/);
  });

  it("mean is NaN when a run diverged; geoMean averages in log space", () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([1, Number.NaN])).toBeNaN();
    expect(geoMean([1e-3, 1e-1])).toBeCloseTo(1e-2, 12);
  });

  it("regret is relative, may be negative, and infinite for a diverged loss", () => {
    expect(regret(1.1, 1)).toBeCloseTo(0.1, 12);
    expect(regret(0.9, 1)).toBeCloseTo(-0.1, 12);
    expect(regret(Number.NaN, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(() => regret(1, 0)).toThrow(/oracle must be finite and > 0; got 0/);
  });

  it("median sorts Infinity last; argminFinite skips NaN", () => {
    expect(median([3, Number.POSITIVE_INFINITY, 1])).toBe(3);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(argminFinite([Number.NaN, 2, 1, 1])).toBe(2);
    expect(argminFinite([Number.NaN])).toBe(-1);
  });

  it("pct shows a signed percentage or a divergence", () => {
    expect(pct(0.0512)).toBe("+5.1%");
    expect(pct(-0.02)).toBe("−2.0%");
    expect(pct(Number.POSITIVE_INFINITY)).toBe("∞ (diverged)");
  });
});
