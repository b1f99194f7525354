import { describe, expect, it } from "vitest";
import { SuggestError } from "./errors.js";
import { logLrs, uniform } from "./test-rng.js";
import { valley } from "./valley.js";

// Expected indices are derived by hand from the spec's definition: lds[i] is the length of the longest
// strictly decreasing subsequence ending at i; end = first index reaching the maximum L; start = end − L
// (0 when no lds exceeds 1); idx = start + ⌊(end−start)/3⌋ + ⌊(end−start)/6⌋.
function idxOf(losses: number[]): number {
  const lrs = logLrs(losses.length);
  const { lr, point } = valley(lrs, losses, 100);
  const idx = lrs.indexOf(lr);
  expect(point).toEqual([lr, losses[idx]]);
  return idx;
}

describe("valley", () => {
  it("keeps a stable name and needs one point", () => {
    expect(valley.name).toBe("valley");
    expect(valley.minPoints).toBe(1);
  });

  it("a curve that never decreases gives index 0", () => {
    // No lds exceeds 1: start = end = 0 → idx 0.
    expect(idxOf([1, 2, 3, 4, 5])).toBe(0);
    // Equal values are not a decrease (strict comparison).
    expect(idxOf([3, 3, 3])).toBe(0);
  });

  it("10 strictly decreasing values give index 3 (spec §6)", () => {
    // L = 10, end = 9, start = −1, (end−start)/3 = 3.33 → 3, 3.33/2 = 1.67 → 1: idx = −1 + 3 + 1 = 3.
    expect(idxOf([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toBe(3);
  });

  it("a 2-point valley at the start gives index 0, not the reference's wrap to the last point", () => {
    // [5,4,6,7,8]: L = 2 ending at 1, start = −1, sections 2/3 → idx −1 + 0 + 0 = −1.
    // The reference reads lrs[−1] (the last point, 8); we clamp to 0, the start of the descent.
    expect(idxOf([5, 4, 6, 7, 8])).toBe(0);
    // A 2-point curve is the same case.
    expect(idxOf([2, 1])).toBe(0);
  });

  it("a 2-point valley elsewhere follows the reference formula", () => {
    // [1,3,2,4,5]: lds = [1,1,2,1,1], L = 2 at end 2, start 0, sections 2/3 → idx 0.
    expect(idxOf([1, 3, 2, 4, 5])).toBe(0);
  });

  it("uses the longest decreasing subsequence, not a contiguous run", () => {
    // [3,5,2,4,1,6]: lds = [1,1,2,2,3,1] (1 < 3 via 2, or < 5 via 4), L = 3 at end 4, start 1,
    // sections 1 → idx 1 + 1 + 0 = 2.
    expect(idxOf([3, 5, 2, 4, 1, 6])).toBe(2);
    // [4,3,3,2,1,5,6]: lds = [1,2,2,3,4,1,1] (3 is not < 3), L = 4 at end 4, start 0,
    // sections 4/3 → 1 + ⌊0.67⌋ = 0 → idx 1.
    expect(idxOf([4, 3, 3, 2, 1, 5, 6])).toBe(1);
  });

  it("cuts a NaN tail before searching", () => {
    // Finite prefix [2,1]: L = 2 ending at 1 → idx 0 (clamped). Without the cut, 0.5 after the NaN
    // would extend the valley to length 3 (lds = [1,2,1,3], end 3, start 0, idx 1).
    expect(idxOf([2, 1, Number.NaN, 0.5])).toBe(0);
    // [5,4,3,2,1,NaN,NaN]: prefix L = 5, end 4, start −1, sections 5/3 → 1 + 0 → idx 0.
    expect(idxOf([5, 4, 3, 2, 1, Number.NaN, Number.NaN])).toBe(0);
  });

  it("finds the same valley through bounded seeded noise", () => {
    // Rising lead-in 4.0..4.9 (i < 10), descent 4.5 → 0.6 in steps of 0.1 (i = 10..49), rise
    // 0.7, 0.8, ... (i ≥ 50), plus uniform noise in ±0.04. Steps of 0.1 exceed the noise span 0.08,
    // so the lead-in has no decreasing pair (at most one of its points precedes the descent), the
    // descent decreases strictly, and nothing after 49 is below 0.6. L = 1 + 40 = 41 ending at 49:
    // start 8, ⌊41/3⌋ = 13, ⌊13.67/2⌋ = 6 → idx 27.
    const noise = uniform(7);
    const clean = Array.from({ length: 60 }, (_, i) =>
      i < 10 ? 4 + 0.1 * i : i < 50 ? 4.5 - 0.1 * (i - 10) : 0.7 + 0.1 * (i - 50),
    );
    expect(idxOf(clean.map((v) => v + 0.08 * (noise() - 0.5)))).toBe(27);
  });

  it("rejects bad input with SuggestError naming the argument", () => {
    expect(() => valley([1e-3, 1e-2], [1], 100)).toThrow(/lrs.length=2, losses.length=1/);
    expect(() => valley([], [], 100)).toThrow(SuggestError);
    expect(() => valley([1e-3], [Number.NaN], 100)).toThrow(/losses\[0\]=NaN\); got 0/);
    expect(() => valley([1e-3, 0], [2, 1], 100)).toThrow(/lrs\[1\] must be a finite number > 0; got 0/);
  });
});
