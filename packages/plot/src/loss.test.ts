import { describe, expect, it } from "vitest";
import { plotLoss, validColumn } from "./loss.js";
import { checkWellFormed, svgTexts } from "./test-files.js";

// Four epochs of 50 batches; rows are [train_loss, valid_loss, accuracy] as the reference records them.
const recorder = {
  losses: Array.from({ length: 200 }, (_, i) => 2 * Math.exp(-i / 50) + 0.3),
  iters: [50, 100, 150, 200],
  values: [
    [1, 0.9, 0.7],
    [0.6, 0.55, 0.8],
    [0.45, 0.42, 0.85],
    [0.4, 0.41, 0.86],
  ],
  metricNames: ["epoch", "train_loss", "valid_loss", "accuracy", "time"],
};
type Spec = { datasets: Record<string, { iteration: number; loss: number }[]>; layer: unknown[] };
const spec = (fig: { spec: unknown }) => fig.spec as Spec;

describe("plotLoss", () => {
  it("plots losses[skipStart:] against the iteration and the valid loss at iters[k]", async () => {
    const fig = plotLoss(recorder);
    const { train, valid } = spec(fig).datasets;
    expect(train).toHaveLength(195);
    expect(train?.[0]).toMatchObject({ iteration: 5, loss: recorder.losses[5] });
    // valid_loss is column 2 of metricNames, column 1 of the rows (no epoch in the rows).
    expect(valid?.map((p) => [p.iteration, p.loss])).toEqual([
      [50, 0.9],
      [100, 0.55],
      [150, 0.42],
      [200, 0.41],
    ]);
    const svg = await fig.toSVG();
    checkWellFormed(svg);
    const texts = svgTexts(svg);
    for (const t of ["Loss", "Iteration", "train", "valid"]) expect(texts).toContain(t);
  });

  it("honours skipStart for both curves", () => {
    const { train, valid } = spec(
      plotLoss({ ...recorder, iters: [3, 10, 20, 30] }, { skipStart: 10 }),
    ).datasets;
    expect(train).toHaveLength(190);
    expect(train?.[0]?.iteration).toBe(10);
    expect(valid?.map((p) => p.iteration)).toEqual([10, 20, 30]);
  });

  it("withValid false, or no valid column, draws the training curve only", () => {
    expect(spec(plotLoss(recorder, { withValid: false })).datasets.valid).toEqual([]);
    expect(spec(plotLoss(recorder, { withValid: false })).layer).toHaveLength(1);
    const finder = {
      ...recorder,
      values: [[0.5]],
      iters: [100],
      metricNames: ["epoch", "train_loss", "time"],
    };
    expect(spec(plotLoss(finder)).datasets.valid).toEqual([]);
  });

  it("finds the valid column with or without a leading epoch name", () => {
    expect(validColumn(["epoch", "train_loss", "valid_loss", "time"])).toBe(1);
    expect(validColumn(["train_loss", "validLoss"])).toBe(1);
    expect(validColumn(["epoch", "train_loss"])).toBe(-1);
    expect(validColumn(undefined)).toBe(-1);
  });

  it("accepts a recorder object with more fields and methods than it reads", () => {
    class FitRecorder {
      lrs: number[] = [];
      losses: number[] = recorder.losses.slice();
      values: number[][] = recorder.values.map((r) => r.slice());
      iters: number[] = recorder.iters.slice();
      hps: Record<string, number[]> = { lr: [] };
      metricNames: string[] = recorder.metricNames.slice();
      before_fit(): void {
        this.losses = [];
      }
    }
    expect(spec(plotLoss(new FitRecorder())).datasets.valid).toHaveLength(4);
  });

  it("rejects bad input with PlotError", () => {
    expect(() => plotLoss({})).toThrow(/recorder.losses must be an array of numbers/);
    expect(() => plotLoss({ losses: [1, 2, 3] })).toThrow(/has 3 entries and skipStart=5 skips them all/);
    expect(() => plotLoss(recorder, { skipStart: 1.5 })).toThrow(
      /skipStart must be an integer >= 0; got 1.5/,
    );
  });
});
