import { describe, expect, it } from "vitest";
import { minimum } from "./minimum.js";
import { logLrs, uniform } from "./test-rng.js";

describe("minimum", () => {
  it("keeps a stable name", () => {
    expect(minimum.name).toBe("minimum");
  });

  it("suggests a tenth of the LR at the first lowest loss and plots the minimum itself", () => {
    const lrs = logLrs(5);
    // Lowest loss 1 first at index 2.
    expect(minimum(lrs, [3, 2, 1, 1, 2], 100)).toEqual({ lr: (lrs[2] as number) / 10, point: [lrs[2], 1] });
  });

  it("a curve that never decreases gives lrs[0] / 10", () => {
    const lrs = logLrs(3);
    expect(minimum(lrs, [1, 2, 3], 100).lr).toBe((lrs[0] as number) / 10);
  });

  it("cuts a NaN tail (torch's argmin would pick the NaN)", () => {
    // Prefix [3, 2] → index 1; without the cut the 0.5 after the NaN (index 3) would win.
    const lrs = logLrs(4);
    expect(minimum(lrs, [3, 2, Number.NaN, 0.5], 100).point).toEqual([lrs[1], 2]);
  });

  it("finds the minimum through bounded seeded noise", () => {
    // Descent 4.5 → 0.6 (i = 10..49) then 0.7, 0.8, ... in steps of 0.1; noise ±0.04 cannot
    // reorder neighbours 0.1 apart, so the lowest point stays at 49.
    const noise = uniform(3);
    const f = Array.from({ length: 60 }, (_, i) => (i < 50 ? 4.5 - 0.1 * (i - 10) : 0.7 + 0.1 * (i - 50)));
    const lrs = logLrs(60);
    expect(
      minimum(
        lrs,
        f.map((v) => v + 0.08 * (noise() - 0.5)),
        100,
      ).lr,
    ).toBe((lrs[49] as number) / 10);
  });
});
