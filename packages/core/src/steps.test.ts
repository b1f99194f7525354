/** stepView (step k of N → pos k/N, documented policy past the horizon) and sample. */
import { describe, expect, it } from "vitest";
import { combinedCos, SchedLin, sample, stepView } from "./index.js";

describe("stepView", () => {
  it("step k of N reads pos k/N: step 0 is the start, step N the end, fractional steps are fine", () => {
    const v = stepView(SchedLin(0, 10), 10);
    expect([v(0), v(3), v(2.5), v(10)]).toEqual([0, 3, 2.5, 10]);
    expect(v.totalSteps).toBe(10);
  });

  it("is what ParamScheduler sees: the last of N batches reads (N − 1)/N, never the end", () => {
    const s = combinedCos(0.25, 0.95, 0.85, 0.95);
    const v = stepView(s, 20);
    expect(v(19)).toBe(s(19 / 20));
  });

  it("past the horizon: 'clamp' (default) holds the end value", () => {
    const v = stepView(SchedLin(0, 10), 10);
    expect([v(11), v(1e9)]).toEqual([10, 10]);
    expect(v.past).toBe("clamp");
  });

  it("past the horizon: 'throw' raises a ScheduleError naming the step and the horizon", () => {
    const v = stepView(SchedLin(0, 10), 10, { past: "throw" });
    expect(v(10)).toBe(10);
    expect(() => v(10.5)).toThrow('stepView: step 10.5 is past the horizon of 10 steps (past: "throw")');
  });

  it("rejects an unknown policy", () => {
    expect(() => stepView(SchedLin(0, 1), 10, { past: "wrap" as never })).toThrow(
      'stepView: past must be one of "clamp", "throw", got "wrap"',
    );
  });
});

describe("sample", () => {
  it("gives n evenly spaced positions with both ends, and the values there", () => {
    const { pos, values } = sample(SchedLin(0, 2), 5);
    expect(pos).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(values).toEqual([0, 0.5, 1, 1.5, 2]);
  });

  it("keeps per-group values and handles n = 1", () => {
    expect(sample(SchedLin([0, 1], 2), 2).values).toEqual([
      [0, 1],
      [2, 2],
    ]);
    expect(sample(SchedLin(3, 4), 1)).toEqual({ pos: [0], values: [3] });
  });
});
