import { describe, expect, it } from "vitest";
import { PlotError } from "./errors.js";
import { plotLrFind, suggestionLabel } from "./lrfind.js";
import { checkWellFormed, svgTexts } from "./test-files.js";

const numIt = 100;
const lrs = Array.from({ length: numIt }, (_, i) => 1e-7 * 1e8 ** (i / numIt));
const losses = lrs.map((lr) => 0.4 + 2 / (1 + (lr / 1e-3) ** 1.5) + lr ** 2);
// The shape @sched/suggest's analysis returns: keyed by name, with the point to mark.
const suggestions = {
  valley: { lr: 3.0199e-3, point: [3.0199e-3, 1.1] as [number, number] },
  minimum: { lr: 5.75e-3, point: [5.75e-2, 0.41] as [number, number] },
};
type Spec = {
  datasets: { curve: { lr: number; loss: number }[]; suggestions: { x: number; y: number; label: string }[] };
  layer: { encoding: { x: { scale?: { type: string }; title: string }; y: { title: string } } }[];
};

describe("plotLrFind", () => {
  it("plots lrs[:-skipEnd] against losses[:-skipEnd] on a log LR axis titled Learning Rate / Loss", () => {
    const spec = plotLrFind({ lrs, losses }).spec as unknown as Spec;
    expect(spec.datasets.curve).toHaveLength(95);
    expect(spec.datasets.curve.at(-1)).toEqual({ lr: lrs[94], loss: losses[94] });
    const enc = spec.layer[0]?.encoding;
    expect(enc?.x.scale?.type).toBe("log");
    expect([enc?.x.title, enc?.y.title]).toEqual(["Learning Rate", "Loss"]);
  });

  it("honours skipEnd, 0 keeping every point", () => {
    const count = (skipEnd: number) =>
      (plotLrFind({ lrs, losses }, { skipEnd }).spec as unknown as Spec).datasets.curve.length;
    expect(count(0)).toBe(100);
    expect(count(10)).toBe(90);
  });

  it("leaves out points with a non-finite loss", () => {
    const withNaN = losses.map((l, i) => (i >= 90 ? Number.NaN : l));
    expect(
      (plotLrFind({ lrs, losses: withNaN }, { skipEnd: 0 }).spec as unknown as Spec).datasets.curve,
    ).toHaveLength(90);
  });

  it("marks and labels each suggestion with its name and LR", async () => {
    const fig = plotLrFind({ lrs, losses }, { suggestions });
    const marks = (fig.spec as unknown as Spec).datasets.suggestions;
    expect(marks.map((m) => [m.x, m.y, m.label])).toEqual([
      [3.0199e-3, 1.1, "valley 3.02e-3"],
      [5.75e-2, 0.41, "minimum 5.75e-3"],
    ]);
    const svg = await fig.toSVG();
    checkWellFormed(svg);
    const texts = svgTexts(svg);
    for (const t of ["LR finder", "Learning Rate", "Loss", "valley 3.02e-3", "minimum 5.75e-3", "1e-4"]) {
      expect(texts).toContain(t);
    }
    // One filled point per suggestion (legend symbols are not "point" marks).
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(2);
  });

  it("formats labels with three significant digits", () => {
    expect(suggestionLabel("valley", 0.0030199)).toBe("valley 3.02e-3");
    expect(suggestionLabel("steep", 1)).toBe("steep 1.00e0");
  });

  it("rejects bad input with PlotError naming the argument", () => {
    expect(() => plotLrFind({ losses })).toThrow(/recorder.lrs must be an array of numbers; got nothing/);
    expect(() => plotLrFind({ lrs, losses: losses.slice(1) })).toThrow(/same length; got 100 and 99/);
    expect(() => plotLrFind({ lrs, losses }, { skipEnd: -1 })).toThrow(
      /skipEnd must be an integer >= 0; got -1/,
    );
    expect(() => plotLrFind({ lrs: lrs.slice(0, 3), losses: losses.slice(0, 3) })).toThrow(
      /no point to plot/,
    );
    const bad = { valley: { lr: 1e-3, point: [1e-3, Number.NaN] as [number, number] } };
    expect(() => plotLrFind({ lrs, losses }, { suggestions: bad })).toThrow(PlotError);
    expect(() => plotLrFind({ lrs, losses }, { suggestions: bad })).toThrow(/suggestions.valley must be/);
  });

  describe("with a validation curve (lrFind with validBatches)", () => {
    // The validation loss stops falling earlier and rises with the LR: the shape overfitting gives.
    const validLosses = lrs.map((lr) => 0.6 + 2 / (1 + (lr / 1e-3) ** 1.5) + 3 * lr);
    type ValidSpec = {
      datasets: { curve: { lr: number; loss: number }[]; valid: { lr: number; loss: number }[] };
    };
    const lineStrokes = (svg: string) =>
      [...svg.matchAll(/<path[^>]*aria-roledescription="line mark"[^>]*>/g)].map(
        (m) => /stroke="([^"]*)"/.exec(m[0])?.[1],
      );

    it("draws validLosses[:-skipEnd] as a second line, with a legend telling train from valid", async () => {
      const fig = plotLrFind({ lrs, losses, validLosses }, { suggestions });
      const { datasets } = fig.spec as unknown as ValidSpec;
      expect(datasets.curve).toEqual(lrs.slice(0, 95).map((lr, i) => ({ lr, loss: losses[i] })));
      expect(datasets.valid).toEqual(lrs.slice(0, 95).map((lr, i) => ({ lr, loss: validLosses[i] })));
      const svg = await fig.toSVG();
      checkWellFormed(svg);
      // Two lines in two colours, the markers in neither of them.
      const strokes = lineStrokes(svg);
      expect(strokes).toHaveLength(2);
      expect(new Set(strokes).size).toBe(2);
      expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(2);
      expect(svg).toMatch(/aria-label="Symbol legend for stroke color with 2 values: train, valid"/);
      const texts = svgTexts(svg);
      for (const t of ["train", "valid", "Suggestions", "valley 3.02e-3", "minimum 5.75e-3", "Loss"]) {
        expect(texts).toContain(t);
      }
      // Without suggestions: the two lines and their legend only.
      const bare = await plotLrFind({ lrs, losses, validLosses }).toSVG();
      expect(lineStrokes(bare)).toEqual(strokes);
      expect(svgTexts(bare)).not.toContain("Suggestions");
    });

    it("applies skipEnd and leaves out non-finite validation points, as for the training line", () => {
      const tail = validLosses.map((l, i) => (i >= 80 ? Number.NaN : l));
      const spec = (opts: object, v = validLosses) =>
        plotLrFind({ lrs, losses, validLosses: v }, opts).spec as unknown as ValidSpec;
      expect(spec({ skipEnd: 0 }).datasets.valid).toHaveLength(100);
      expect(spec({ skipEnd: 10 }).datasets.valid).toHaveLength(90);
      expect(spec({ skipEnd: 0 }, tail).datasets.valid).toHaveLength(80);
      expect(spec({ skipEnd: 0 }, tail).datasets.curve).toHaveLength(100);
    });

    it("without validLosses the figure is the training curve alone, as before", async () => {
      const spec = plotLrFind({ lrs, losses }, { suggestions }).spec as unknown as Record<string, unknown>;
      expect(Object.keys(spec.datasets as object)).toEqual(["curve", "suggestions"]);
      expect(spec.resolve).toBeUndefined();
      const svg = await plotLrFind({ lrs, losses }).toSVG();
      expect(lineStrokes(svg)).toEqual(["#4c78a8"]);
      expect(svgTexts(svg)).not.toContain("valid");
    });

    it("rejects validLosses that are not an array of the length of lrs", () => {
      expect(() => plotLrFind({ lrs, losses, validLosses: validLosses.slice(1) })).toThrow(PlotError);
      expect(() => plotLrFind({ lrs, losses, validLosses: validLosses.slice(1) })).toThrow(
        /recorder.validLosses must have the length of recorder.lrs; got 99 and 100/,
      );
      const odd = { lrs, losses, validLosses: "x" } as unknown as { lrs: number[] };
      expect(() => plotLrFind(odd)).toThrow(/recorder.validLosses must be an array of numbers; got string/);
    });
  });
});
