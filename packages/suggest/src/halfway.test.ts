import { describe, expect, it } from "vitest";
import { SuggestError } from "./errors.js";
import { halfway } from "./halfway.js";
import { logLrs, uniform } from "./test-rng.js";
import { valley } from "./valley.js";

describe("halfway", () => {
  it("keeps a stable name and needs two increasing LRs", () => {
    expect(halfway.name).toBe("halfway");
    expect(halfway.minPoints).toBe(2);
  });

  it("interpolates the crossing of the half-way level in log10(lr)", () => {
    // [4, 3, 2, 1, 2]: minimum 1 at 3, top 4 at 0, level 2.5, crossed between 3 (index 1) and 2
    // (index 2), half-way: log10 lr = −4 + 0.25·1.5 → lr = 10^−3.625, point (lr, 2.5).
    const { lr, point } = halfway(logLrs(5), [4, 3, 2, 1, 2], 100);
    expect(lr).toBeCloseTo(10 ** -3.625, 15);
    expect(point).toEqual([lr, 2.5]);
  });

  it("lands exactly on a point that sits on the level", () => {
    // [5, 3, 1]: top 5, minimum 1, level 3 = losses[1] → lrs[1].
    const lrs = logLrs(3);
    expect(halfway(lrs, [5, 3, 1], 100).lr).toBeCloseTo(lrs[1] as number, 15);
  });

  it("measures the top before the minimum only, and the first crossing after it", () => {
    // [2, 6, 4, 5, 1, 9]: top 6 at 1 (9 comes after the minimum), minimum 1 at 4, level 3.5;
    // 4 > 3.5 and 5 > 3.5, crossed between 5 (index 3) and 1 (index 4) at t = 1.5/4.
    const { lr } = halfway(logLrs(6), [2, 6, 4, 5, 1, 9], 100);
    expect(lr).toBeCloseTo(10 ** (-4 + 0.25 * (3 + 1.5 / 4)), 15);
  });

  it("a curve that never decreases, and a flat one, give lrs[0]", () => {
    const lrs = logLrs(4);
    expect(halfway(lrs, [1, 2, 3, 4], 100)).toEqual({ lr: lrs[0], point: [lrs[0], 1] });
    expect(halfway(lrs, [2, 2, 2, 2], 100).lr).toBe(lrs[0]);
  });

  it("cuts a NaN tail", () => {
    // Prefix [4, 2]: level 3 crossed half-way between 0 and 1; the 0 after the NaN would be the
    // minimum otherwise (level 2 → lrs[1]).
    const { lr } = halfway(logLrs(4), [4, 2, Number.NaN, 0], 100);
    expect(lr).toBeCloseTo(10 ** -3.875, 15);
  });

  it("does not move when a slowly drifting plateau is put in front, where valley moves decades", () => {
    // A finder-like ramp 1e-7 → 10 over 100 points. Descent (i = 40..80) from 2 to 1 along a
    // half cosine, then a rise. Curve A has a flat plateau before it; curve B the same plateau
    // drifting down by 1e-4 per point (to 2.0 at i = 40), as smoothed losses do at tiny LRs.
    const lrs = Array.from({ length: 100 }, (_, i) => 1e-7 * 1e8 ** (i / 100));
    const descent = (i: number) =>
      i <= 80 ? 1.5 + 0.5 * Math.cos((Math.PI * (i - 40)) / 40) : 1 + 0.05 * (i - 80);
    const a = lrs.map((_, i) => (i < 40 ? 2 : descent(i)));
    const b = lrs.map((_, i) => (i < 40 ? 2 + 1e-4 * (40 - i) : descent(i)));
    const ha = halfway(lrs, a, 100).lr;
    const hb = halfway(lrs, b, 100).lr;
    // Level 1.5 at i = 60 on A; B's top is 2.004, so its level 1.502 is crossed a hair earlier.
    expect(ha).toBeCloseTo(lrs[60] as number, 12);
    expect(hb / ha).toBeGreaterThan(0.98);
    expect(hb / ha).toBeLessThanOrEqual(1);
    // valley: on A the longest run is one plateau point and the 40 strict decreases of the descent
    // (L = 41 ending at 80: start 39, idx 39 + 13 + 6 = 58); on B it starts at 0 (L = 81: start −1,
    // idx −1 + 27 + 13 = 39), 19 points = 1.5 decades lower.
    expect(valley(lrs, a, 100).lr).toBe(lrs[58]);
    expect(valley(lrs, b, 100).lr).toBe(lrs[39]);
  });

  it("stays within a point of the clean answer through bounded seeded noise", () => {
    // Descent by 0.1 per point from 4.5 (i = 10) to 0.6 (i = 49), then a rise; noise ±0.04. The
    // top (≈ 4.5 ± 0.04, the lead-in is lower) and the minimum (≈ 0.6 ± 0.04) move the level by at
    // most 0.04, under half a step, so the crossing stays between points 28 and 30 (clean: 29.5).
    const lrs = logLrs(60);
    const clean = Array.from({ length: 60 }, (_, i) =>
      i < 10 ? 3 + 0.1 * i : i < 50 ? 4.5 - 0.1 * (i - 10) : 0.7 + 0.1 * (i - 50),
    );
    expect(halfway(lrs, clean, 100).lr).toBeCloseTo(10 ** (-4 + 0.25 * 29.5), 12);
    const noise = uniform(11);
    const lr = halfway(
      lrs,
      clean.map((v) => v + 0.08 * (noise() - 0.5)),
      100,
    ).lr;
    expect(lr).toBeGreaterThanOrEqual(lrs[28] as number);
    expect(lr).toBeLessThanOrEqual(lrs[30] as number);
  });

  it("rejects bad input with SuggestError naming the argument", () => {
    expect(() => halfway([1e-3], [1], 100)).toThrow(/halfway: needs at least 2 points; got 1/);
    expect(() => halfway([1e-2, 1e-3], [2, 1], 100)).toThrow(/lrs must be strictly increasing/);
    expect(() => halfway([1e-3, 1e-2], [2], 100)).toThrow(SuggestError);
  });
});
