import { describe, expect, it } from "vitest";
import { evenMults, isLrSlice, lrSlice, OptimizerError, spreadHyper } from "./index.js";

describe("lrSlice", () => {
  it("builds the slice object, without start when given only stop", () => {
    expect(lrSlice(2e-3)).toEqual({ kind: "lrSlice", stop: 2e-3 });
    expect("start" in lrSlice(2e-3)).toBe(false);
    expect(lrSlice(1e-5, 1e-3)).toEqual({ kind: "lrSlice", start: 1e-5, stop: 1e-3 });
    expect(isLrSlice(lrSlice(1))).toBe(true);
    expect(isLrSlice([1])).toBe(false);
    expect(isLrSlice(1)).toBe(false);
  });

  it("rejects non-finite bounds, naming the argument and the value", () => {
    expect(() => lrSlice(Number.NaN)).toThrow(
      new OptimizerError("lrSlice: stop must be a finite number, got NaN"),
    );
    expect(() => lrSlice(1e-5, Number.POSITIVE_INFINITY)).toThrow(
      /lrSlice: stop must be a finite number, got Infinity/,
    );
    expect(() => lrSlice(Number.NaN, 1)).toThrow(/lrSlice: start must be a finite number, got NaN/);
  });
});

describe("evenMults", () => {
  it("is geometric from start to stop; n = 1 gives stop", () => {
    const r = evenMults(1e-5, 1e-3, 3);
    expect(r).toHaveLength(3);
    expect(r[0]).toBe(1e-5);
    expect(r[1]).toBeCloseTo(1e-4, 15);
    expect(r[2]).toBeCloseTo(1e-3, 15);
    expect(evenMults(1, 16, 5)).toEqual([1, 2, 4, 8, 16]);
    expect(evenMults(1e-5, 1e-3, 1)).toEqual([1e-3]);
  });
});

describe("spreadHyper (the reference's set_hyper rules)", () => {
  it("lrSlice(stop) gives stop/10 to all groups but the last", () => {
    expect(spreadHyper("lr", lrSlice(2e-3), 3)).toEqual([2e-3 / 10, 2e-3 / 10, 2e-3]);
    expect(spreadHyper("lr", lrSlice(2e-3), 1)).toEqual([2e-3]);
  });

  it("a falsy start (0) behaves as lrSlice(stop)", () => {
    expect(spreadHyper("lr", lrSlice(0, 1e-2), 2)).toEqual([1e-3, 1e-2]);
  });

  it("lrSlice(start, stop) is evenly multiplicative; one group gets stop", () => {
    const [a, b, c] = spreadHyper("lr", lrSlice(1e-5, 1e-3), 3) as [number, number, number];
    expect(a).toBe(1e-5);
    expect(Math.abs(b - 1e-4)).toBeLessThan(1e-18);
    expect(Math.abs(c - 1e-3)).toBeLessThan(1e-17);
    expect(spreadHyper("lr", lrSlice(1e-5, 1e-3), 1)).toEqual([1e-3]);
  });

  it("a number or a length-1 array is repeated; an array of the right length is taken as is", () => {
    expect(spreadHyper("wd", 0.1, 3)).toEqual([0.1, 0.1, 0.1]);
    expect(spreadHyper("wd", [0.2], 2)).toEqual([0.2, 0.2]);
    expect(spreadHyper("mom", [0.9, 0.8], 2)).toEqual([0.9, 0.8]);
  });

  it("an array of the wrong length names the hyper, the length and the number of groups", () => {
    expect(() => spreadHyper("mom", [0.9, 0.8], 3)).toThrow(
      new OptimizerError('setHyper("mom"): 2 values [0.9, 0.8] for 3 parameter groups'),
    );
    expect(() => spreadHyper("lr", [], 2)).toThrow(/setHyper\("lr"\): 0 values \[\] for 2 parameter groups/);
  });

  it("non-finite values are rejected, naming the hyper and the value", () => {
    expect(() => spreadHyper("lr", Number.NaN, 2)).toThrow(
      /setHyper\("lr"\): value must be a finite number, got NaN/,
    );
    expect(() => spreadHyper("wd", [0.1, Number.NEGATIVE_INFINITY], 2)).toThrow(
      /setHyper\("wd"\): value must be a finite number, got \[0.1, -Infinity\]/,
    );
    // A negative start with a positive stop has no geometric spacing.
    expect(() => spreadHyper("lr", lrSlice(-1e-5, 1e-3), 3)).toThrow(
      /setHyper\("lr"\): value must be a finite/,
    );
    expect(() => spreadHyper("lr", "0.1" as unknown as number, 2)).toThrow(
      /setHyper\("lr"\): expected a number, an array or an lrSlice, got "0.1"/,
    );
  });
});
