import { describe, expect, it } from "vitest";
import { aggregateRepeats } from "./repeats.js";

describe("aggregateRepeats", () => {
  it("gives median and quartiles interpolated in log10(lr), and the raw values", () => {
    // Three runs 1e-3, 1e-2, 1e-1 (any order): median is the middle run exactly; quartile positions
    // (k−1)·p = 0.5 and 1.5 fall halfway between runs in log10: 10^−2.5 and 10^−1.5.
    const s = aggregateRepeats([{ valley: 1e-2 }, { valley: 1e-1 }, { valley: 1e-3 }]).valley;
    expect(s?.median).toBe(1e-2);
    expect(s?.q1).toBeCloseTo(10 ** -2.5, 15);
    expect(s?.q3).toBeCloseTo(10 ** -1.5, 15);
    expect(s?.iqr).toBeCloseTo(10 ** -1.5 - 10 ** -2.5, 15);
    expect(s?.values).toEqual([1e-2, 1e-1, 1e-3]);
  });

  it("takes the geometric middle for an even count and keeps the first run's order of names", () => {
    // Four runs 1e-4..1e-1: positions 1.5, 0.75, 2.25 → 10^−2.5, 10^−3.25, 10^−1.75.
    const runs = [1e-4, 1e-3, 1e-2, 1e-1].map((lr) => ({
      valley: { lr, point: [lr, 1] as [number, number] },
      minimum: lr * 2,
    }));
    const out = aggregateRepeats(runs);
    expect(Object.keys(out)).toEqual(["valley", "minimum"]);
    expect(out.valley?.median).toBeCloseTo(10 ** -2.5, 15);
    expect(out.valley?.q1).toBeCloseTo(10 ** -3.25, 15);
    expect(out.valley?.q3).toBeCloseTo(10 ** -1.75, 15);
    expect(out.minimum?.median).toBeCloseTo(2 * 10 ** -2.5, 15);
  });

  it("one run gives a zero-width range", () => {
    expect(aggregateRepeats([{ steep: 3e-3 }]).steep).toEqual({
      median: 3e-3,
      q1: 3e-3,
      q3: 3e-3,
      iqr: 0,
      values: [3e-3],
    });
  });

  it("rejects mismatched names and bad values with SuggestError", () => {
    expect(() => aggregateRepeats([])).toThrow(/non-empty array/);
    expect(() => aggregateRepeats([{ valley: 1e-3 }, { slide: 1e-3 }])).toThrow(
      /runs\[1\] has suggestions \[slide\] but runs\[0\] has \[valley\]/,
    );
    expect(() => aggregateRepeats([{ valley: 1e-3 }, { valley: -1 }])).toThrow(
      /runs\[1\].valley must be a finite LR > 0; got -1/,
    );
  });
});
