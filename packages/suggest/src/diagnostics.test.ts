import { describe, expect, it } from "vitest";
import { analyzeLrFind, type LrFindRun } from "./analyze.js";
import { normal, smooth } from "./test-rng.js";

const rampLrs = (n: number, numIt = n) => Array.from({ length: n }, (_, i) => 1e-7 * 1e8 ** (i / numIt));
/** Falls from 2.5 to 0.5 around 40% of the ramp, rises gently after 70% (never above 4× its best). */
const uCurve = (numIt: number) =>
  Array.from({ length: numIt }, (_, k) => {
    const i = (100 * k) / numIt;
    return 0.5 + 2 / (1 + Math.exp((i - 40) / 5)) + 0.002 * Math.max(0, i - 70) ** 2;
  });
const codes = (r: LrFindRun, thresholds = {}) =>
  analyzeLrFind(r, { thresholds }).diagnostics.map((d) => d.code);

describe("diagnostics", () => {
  it("a clean curve with a clear descent and 85 points has none", () => {
    expect(codes({ lrs: rampLrs(100), losses: uCurve(100), numIt: 100 })).toEqual([]);
  });

  it("flat-curve: the loss hardly moves over most of the range", () => {
    // 0.1 + 1e-6·i, then ×1.5 per step from 80: 0.5063 at 83 exceeds 4 × 0.1, so 84 are recorded.
    // Window 10..78: every point is within 5% of the minimum (flat span 100%), the fall is 0.
    const losses = Array.from({ length: 84 }, (_, i) => (i < 80 ? 0.1 + 1e-6 * i : 0.1 * 1.5 ** (i - 79)));
    const a = analyzeLrFind({ lrs: rampLrs(84, 100), losses, numIt: 100 });
    expect(a.diagnostics.map((d) => d.code)).toEqual(["flat-curve"]);
    const flat = a.diagnostics[0];
    expect(flat?.code === "flat-curve" && [flat.relativeDescent, flat.flatSpan]).toEqual([0, 1]);
    expect(flat?.message).toMatch(/may already be trained.*Lower startLr.*or skip the LR finder/);
  });

  it("diverged-early: the loss rises from the start", () => {
    // 1.02^i exceeds 4 first at i = 71 → 72 recorded, stop "diverged". Window 10..66 (57 points);
    // within 5% of the minimum 1.02^10 are i = 10, 11, 12 (1.02^2.46 = 1.05): 3/57 < 50%.
    const losses = Array.from({ length: 72 }, (_, i) => 1.02 ** i);
    const a = analyzeLrFind({ lrs: rampLrs(72, 100), losses, numIt: 100 });
    expect(a.diagnostics.map((d) => d.code)).toEqual(["diverged-early"]);
    expect(a.diagnostics[0]?.message).toMatch(/Lower startLr\. It diverged after 72 of 100 iterations/);
    expect(a.stop.reason).toBe("diverged");
  });

  it("too-few-points: a short run says to raise numIt, a diverged one to lower startLr", () => {
    // numIt 25: window 2..19 → 18 points < 20.
    const short = analyzeLrFind({ lrs: rampLrs(25), losses: uCurve(25), numIt: 25 });
    expect(short.diagnostics.map((d) => d.code)).toEqual(["too-few-points"]);
    expect(short.diagnostics[0]).toMatchObject({ points: 18, recommended: 20 });
    expect(short.diagnostics[0]?.message).toMatch(/raise numIt/);
    // Non-finite at iteration 33 (34 recorded): window 10..28 → 19 points.
    const losses = [...uCurve(100).slice(0, 33), Number.POSITIVE_INFINITY];
    const diverged = analyzeLrFind({ lrs: rampLrs(34, 100), losses, numIt: 100 });
    expect(diverged.diagnostics.map((d) => d.code)).toEqual(["too-few-points"]);
    expect(diverged.diagnostics[0]?.message).toMatch(/lower startLr.*diverged after 33 of 100/);
  });

  it("noisy: raw losses scattering by a large share of the drop; the noise estimate tracks sigma", () => {
    const clean = uCurve(100);
    const noisyRun = (sigma: number, seed: number): LrFindRun => {
      const z = normal(seed);
      const raw = clean.map((l) => l + sigma * z());
      return { lrs: rampLrs(100), losses: smooth(raw), rawLosses: raw, numIt: 100 };
    };
    // σ = 1 against a drop of about 2 → ratio ≈ 0.5 > 0.25.
    const loud = analyzeLrFind(noisyRun(1, 42));
    const d = loud.diagnostics.find((x) => x.code === "noisy");
    expect(d?.code).toBe("noisy");
    if (d?.code !== "noisy") return;
    expect(d.noise).toBeGreaterThan(0.65);
    expect(d.noise).toBeLessThan(1.35);
    expect(d.ratio).toBeCloseTo(d.noise / d.drop, 12);
    expect(d.message).toMatch(/Use repeats/);
    // σ = 0.05 → ratio ≈ 0.025: not noisy, and the estimate is still about σ.
    const quiet = analyzeLrFind(noisyRun(0.05, 43), { thresholds: { noiseRatio: 0 } });
    const q = quiet.diagnostics.find((x) => x.code === "noisy");
    expect(q?.code === "noisy" && q.noise).toBeGreaterThan(0.0325);
    expect(q?.code === "noisy" && q.noise).toBeLessThan(0.0675);
    expect(codes(noisyRun(0.05, 43))).toEqual([]);
    // No noise: a steep descent is not mistaken for noise.
    expect(codes(noisyRun(0, 1), { noiseRatio: 0.01 })).toEqual([]);
  });

  it("thresholds can be overridden", () => {
    const r = { lrs: rampLrs(100), losses: uCurve(100), numIt: 100 };
    expect(codes(r, { fewPoints: 100 })).toEqual(["too-few-points"]);
    expect(codes(r, { minDescent: 0.99 })).toEqual(["diverged-early"]);
    expect(codes(r, { fewPoints: undefined })).toEqual([]);
    expect(() => codes(r, { fewpoints: 3 })).toThrow(/unknown threshold "fewpoints"/);
    expect(() => codes(r, { noiseRatio: -1 })).toThrow(
      /thresholds.noiseRatio must be a finite number >= 0; got -1/,
    );
  });
});
