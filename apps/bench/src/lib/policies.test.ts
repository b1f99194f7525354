import { sgdrEpochs } from "@sched/policies";
import { describe, expect, it } from "vitest";
import { sgdrShape } from "./policies.js";

describe("sgdrShape", () => {
  it("fits a total of exactly n epochs with the most cycles of cycleMult 2", () => {
    expect(sgdrShape(1)).toEqual({ nCycles: 1, cycleLen: 1 });
    expect(sgdrShape(3)).toEqual({ nCycles: 2, cycleLen: 1 });
    expect(sgdrShape(7)).toEqual({ nCycles: 3, cycleLen: 1 });
    expect(sgdrShape(8)).toEqual({ nCycles: 1, cycleLen: 8 });
    expect(sgdrShape(12)).toEqual({ nCycles: 2, cycleLen: 4 });
    for (let n = 1; n <= 40; n++) {
      const { nCycles, cycleLen } = sgdrShape(n);
      expect(sgdrEpochs(nCycles, cycleLen, 2)).toBe(n);
    }
  });
});
