import { describe, expect, it } from "vitest";
import { argmin, gradient32, interp } from "./curve.js";

describe("gradient32 (np.gradient semantics)", () => {
  it("uses one-sided ends and central differences inside", () => {
    // [10,8,4,1,4,16]: ends 8−10 = −2, 16−4 = 12; inside (4−10)/2, (1−8)/2, (4−4)/2, (16−1)/2.
    expect(gradient32([10, 8, 4, 1, 4, 16])).toEqual([-2, -3, -3.5, 0, 7.5, 12]);
  });

  it("reproduces the C19 argmin-of-gradient cases", () => {
    // C19: [10,8,4,1,4,16] → 2; [1,0,1,2,3,4] → gradient [−1,0,1,1,1,1] → 0;
    // [0,1,2,3,4,3] → gradient [1,1,1,1,0,−1] → 5 (the last index).
    expect(argmin(gradient32([10, 8, 4, 1, 4, 16]))).toBe(2);
    expect(argmin(gradient32([1, 0, 1, 2, 3, 4]))).toBe(0);
    expect(argmin(gradient32([0, 1, 2, 3, 4, 3]))).toBe(5);
  });
});

describe("argmin", () => {
  it("takes the first of equal minima and skips NaN", () => {
    expect(argmin([2, 1, 1])).toBe(1);
    expect(argmin([Number.NaN, 3, 2])).toBe(2);
    expect(argmin([Number.NaN])).toBe(-1);
  });
});

describe("interp (np.interp)", () => {
  it("interpolates linearly and clamps outside", () => {
    expect(interp(1.5, [1, 2, 4], [10, 20, 0])).toBe(15);
    expect(interp(3, [1, 2, 4], [10, 20, 0])).toBe(10);
    expect(interp(0, [1, 2, 4], [10, 20, 0])).toBe(10);
    expect(interp(9, [1, 2, 4], [10, 20, 0])).toBe(0);
    expect(interp(2, [1, 2, 4], [10, 20, 0])).toBe(20);
  });
});
