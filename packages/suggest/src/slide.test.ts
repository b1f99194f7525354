import { describe, expect, it } from "vitest";
import { SuggestError } from "./errors.js";
import { slide, slideWith } from "./slide.js";
import { logLrs, uniform } from "./test-rng.js";

// lrs[i] = 10^(−4 + i/4) throughout, so log10 spacing is 0.25 and each index has its own LR.
// g is np.gradient: g[0] = f1 − f0, g[n−1] = f[n−1] − f[n−2], g[i] = (f[i+1] − f[i−1]) / 2.
// slide compares g[r] and g[l], r − l = lrDiff, from r = n−1 leftwards while |g[r] − g[l]| > thresh;
// the answer is lrs[l] for the last l that differed (or the first l tried).

// Flat 10 (i ≤ 4), linear 10 → 5 (i = 4..9), flat 5 (i ≥ 9); n = 20.
// g = 0 (i ≤ 3), −0.5 (i = 4), −1 (i = 5..8), −0.5 (i = 9), 0 (i ≥ 10).
const kinked = [10, 10, 10, 10, 10, 9, 8, 7, 6, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5];

describe("slide", () => {
  it("keeps a stable name and needs lrDiff + 1 points", () => {
    expect(slide.name).toBe("slide");
    expect(slide.minPoints).toBe(16);
    expect(slideWith().name).toBe("slide");
    const named = slideWith({ lrDiff: 10, name: "slide10" });
    expect(named.name).toBe("slide10");
    expect(named.minPoints).toBe(11);
  });

  it("stops where gradients lrDiff apart agree", () => {
    // r=19, l=4: |0 − (−0.5)| > 0.005 → slide (answer lrs[4]); r=18, l=3: |0 − 0| → stop. Answer lrs[4].
    const lrs = logLrs(20);
    const { lr, point } = slide(lrs, kinked, 100);
    expect(lr).toBe(lrs[4]);
    // The point's loss is interpolated at lrs[4] exactly: kinked[4] = 10.
    expect(point[0]).toBe(lr);
    expect(point[1]).toBeCloseTo(10, 6);
  });

  it("stops at once on a flat curve", () => {
    // n = 18: first pair r = 17, l = 2 already agrees → lrs[2].
    const lrs = logLrs(18);
    expect(slide(lrs, new Array(18).fill(1), 100).lr).toBe(lrs[2]);
  });

  it("slides to index 0 when no pair ever agrees", () => {
    // f = (i − 12)² / 10: interior g = (i − 12)/5, so pairs 15 apart differ by 3; the ends
    // (g0 = −2.3, g19 = 1.3) differ from their partners by ≥ 2.9. The loop runs out at l = 0 → lrs[0].
    const lrs = logLrs(20);
    const f = Array.from({ length: 20 }, (_, i) => (i - 12) ** 2 / 10);
    expect(slide(lrs, f, 100).lr).toBe(lrs[0]);
  });

  it("takes gradients in float32 like the reference", () => {
    // f = [0.3, 0.3, 0.3100000008, 0.5, 0.5 × 14], n = 18. r=17, l=2: g2 ≈ (0.5 − 0.3)/2 = 0.1 → slide.
    // r=16, l=1: g1 = (f2 − f0)/2. In float64 g1 = 0.0050000004 (0.0050000003 even if rounded to float32
    // afterwards) > 0.005 → slide on, then r=15, l=0 agree → lrs[1]. In float32, f2 rounds to
    // 0.31000000238 and f0 to 0.30000001192, so g1 = 0.0049999952 ≤ 0.005 → stop at lrs[2].
    // numpy 2.4 on float32 arrays gives lrs[2] as well.
    const lrs = logLrs(18);
    const f = [0.3, 0.3, 0.3100000008, 0.5, ...new Array(14).fill(0.5)];
    expect(slide(lrs, f, 100).lr).toBe(lrs[2]);
  });

  it("adjustValue scales the LR and the point is interpolated in log10(lr), clamped at the ends", () => {
    const lrs = logLrs(20);
    // 2 · lrs[4] = 2e-3: log10 = −2.69897, between lrs[5] (−2.75) and lrs[6] (−2.5) at t = 0.20412:
    // loss = 9 + t · (8 − 9) = 8.79588.
    const twice = slideWith({ adjustValue: 2 })(lrs, kinked, 100);
    expect(twice.lr).toBeCloseTo(2e-3, 15);
    expect(twice.point[1]).toBeCloseTo(8.79588, 5);
    // 1e-6 is left of lrs[0] = 1e-4 → first loss; 10 is right of lrs[19] = 10^0.75 → last loss.
    expect(slideWith({ adjustValue: 1e-3 })(lrs, kinked, 100).point[1]).toBe(10);
    expect(slideWith({ adjustValue: 1e4 })(lrs, kinked, 100).point[1]).toBe(5);
  });

  it("honours lrDiff and thresh", () => {
    const lrs = logLrs(20);
    // lrDiff 10, thresh 0.6: r=19, l=9: |0 − (−0.5)| = 0.5 ≤ 0.6 → stop at lrs[9].
    expect(slideWith({ lrDiff: 10, thresh: 0.6 })(lrs, kinked, 100).lr).toBe(lrs[9]);
    // lrDiff 10, default thresh: l = 9, 8, ..., 4 differ (g = −0.5 or −1 against 0); r=13, l=3 agree → lrs[4].
    expect(slideWith({ lrDiff: 10 })(lrs, kinked, 100).lr).toBe(lrs[4]);
  });

  it("cuts a NaN tail before sliding", () => {
    // The finite prefix is `kinked` → lrs[4]. Without the cut, g at the last finite point is NaN,
    // the first comparison is false and the answer would be lrs[n − 16] next to the NaNs.
    const lrs = logLrs(23);
    expect(slide(lrs, [...kinked, Number.NaN, Number.NaN, Number.NaN], 100).lr).toBe(lrs[4]);
  });

  it("finds the same point through bounded seeded noise", () => {
    // Flat 10 (i ≤ 20), slope −0.1 to 8 (i = 20..40), flat 8 (i = 40..45), then 8 + 0.05(i − 45)².
    // g = 0 (i < 20), −0.05 (20), −0.1 (21..39), −0.05 (40), 0 (41..44), 0.025 (45), 0.1(i − 45) after,
    // g59 = 1.35. With thresh 0.03, pairs slide on while r is at or right of 40 (|g[r] − g[l]| ≥ 0.05)
    // and stop at r = 39, l = 24 (both −0.1) → lrs[25]. Noise in ±0.004 moves any gradient by ≤ 0.008
    // and a difference by ≤ 0.016: agreeing pairs stay ≤ 0.03, differing ones stay > 0.03.
    const noise = uniform(11);
    const f = Array.from({ length: 60 }, (_, i) => {
      const base = i <= 20 ? 10 : i <= 40 ? 10 - 0.1 * (i - 20) : i <= 45 ? 8 : 8 + 0.05 * (i - 45) ** 2;
      return base + 0.008 * (noise() - 0.5);
    });
    const lrs = logLrs(60, -7, 0.1);
    expect(slideWith({ thresh: 0.03 })(lrs, f, 100).lr).toBe(lrs[25]);
  });

  it("rejects bad input and options with SuggestError", () => {
    expect(() => slide(logLrs(15), new Array(15).fill(1), 100)).toThrow(
      /slide: needs at least 16 points; got 15/,
    );
    const down = logLrs(20).reverse();
    expect(() => slide(down, kinked, 100)).toThrow(/strictly increasing/);
    expect(() => slideWith({ lrDiff: 0 })).toThrow(/lrDiff must be an integer >= 1; got 0/);
    expect(() => slideWith({ thresh: -1 })).toThrow(/thresh must be a finite number >= 0; got -1/);
    expect(() => slideWith({ adjustValue: 0 })).toThrow(SuggestError);
    expect(() => slideWith({ name: "" })).toThrow(/non-empty name/);
  });
});
