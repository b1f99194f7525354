import { describe, expect, it } from "vitest";
import type { TaskRegret } from "../lib/regret-study.js";
import { bestLrPerSeed, pairedRegretSe, readingOf } from "./regret-splits.js";

/** A study result with a 3-LR grid over 3 seeds and one method, enough for the helpers. */
function result(): TaskRegret {
  const point = (lr: number, losses: number[]) => ({
    lr,
    losses,
    mean: losses.reduce((a, b) => a + b) / losses.length,
    trainLoss: 0,
  });
  const grid = [point(0.001, [0.5, 0.2, 0.6]), point(0.01, [0.3, 0.4, 0.2]), point(0.1, [0.4, 0.5, 0.1])];
  return {
    task: "t",
    describe: "",
    epochs: 1,
    bs: 1,
    stepsPerTraining: 1,
    grid,
    oracle: { lr: 0.01, loss: 0.3, atEdge: false },
    refined: { lr: 0.01, loss: 0.3, points: [] },
    methods: [
      {
        name: "m",
        lrs: [0.02, 0.02, 0.02],
        losses: [0.33, 0.46, 0.26],
        mean: 0.35,
        regret: 0.35 / 0.3 - 1,
        regretRefined: 0,
        finderSteps: [],
        finderValidBatches: [],
      },
    ],
    curves: [],
    seconds: { grid: 0, refine: 0, finder: 0, validFinder: 0, suggestions: 0 },
  };
}

describe("regret-splits helpers", () => {
  it("bestLrPerSeed: each seed's own lowest grid loss", () => {
    expect(bestLrPerSeed(result())).toEqual([0.01, 0.001, 0.1]);
  });

  it("pairedRegretSe: s.e. of the per-seed differences to the oracle LR, relative to the oracle", () => {
    // Differences 0.03, 0.06, 0.06: mean 0.05, sample sd sqrt(0.0003), s.e. 0.01; / 0.3.
    expect(pairedRegretSe(result(), "m")).toBeCloseTo(0.01 / 0.3, 10);
    expect(pairedRegretSe(result(), "absent")).toBeNaN();
  });

  it("readingOf: the oracle's move from the fixed split, the default's regret plus one s.e., grid edges", () => {
    const fixed = { ...result(), oracle: { lr: 0.1, loss: 0.2, atEdge: true } };
    const perSplit = { ...result(), splitPerSeed: true };
    perSplit.methods = perSplit.methods.map((m) => ({ ...m, name: "halfway" }));
    const text = readingOf([perSplit], [fixed], ["halfway"]).join("\n");
    expect(text).toContain("t 1.0e-1 → 1.0e-2");
    // regret 0.35/0.3 − 1 = 16.7%, s.e. 3.3%: 20.0%, above the 15% goal.
    expect(text).toContain(
      "gives at most +20.0% (t): the 15% bound holds on the estimates, not with one standard error",
    );
    expect(text).not.toContain("grid's edge");
    const atEdge = { ...perSplit, oracle: { ...perSplit.oracle, atEdge: true } };
    expect(readingOf([atEdge], [], []).join("\n")).toBe(
      "\nThe oracle of t is at the grid's edge: a better LR may lie beyond it, so the regrets there are lower bounds.",
    );
  });
});
