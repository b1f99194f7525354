import { describe, expect, it } from "vitest";
import { plotSched } from "./sched.js";
import { checkWellFormed, svgTexts } from "./test-files.js";

const hps = {
  lr: Array.from({ length: 40 }, (_, i) => 1e-3 * (1 + Math.cos((Math.PI * i) / 40)) * 0.5),
  mom: Array.from({ length: 40 }, (_, i) => 0.95 - (0.1 * i) / 40),
  wd: new Array(40).fill(0.01),
};
type Spec = { columns: number; concat: { data: { name: string } }[]; datasets: Record<string, unknown[]> };

describe("plotSched", () => {
  it("draws one panel per hyper-parameter against the batch index, two per row", async () => {
    const fig = plotSched({ hps });
    const spec = fig.spec as unknown as Spec;
    expect(spec.concat.map((p) => p.data.name)).toEqual(["hp:lr", "hp:mom", "hp:wd"]);
    expect(spec.columns).toBe(2);
    expect(spec.datasets["hp:mom"]).toHaveLength(40);
    expect(spec.datasets["hp:mom"]?.[39]).toEqual({ batch: 39, value: hps.mom[39] });
    const svg = await fig.toSVG();
    checkWellFormed(svg);
    const texts = svgTexts(svg);
    for (const t of ["Schedule", "Batch", "lr", "mom", "wd"]) expect(texts).toContain(t);
  });

  it("takes a subset of keys in the given order, and plain data such as a schedule preview", () => {
    const spec = plotSched({ hps }, { keys: ["wd", "lr"] }).spec as unknown as Spec;
    expect(spec.concat.map((p) => p.data.name)).toEqual(["hp:wd", "hp:lr"]);
    const preview = plotSched({ hps: { lr: [1e-4, 1e-3, 1e-4] } }).spec as unknown as Spec;
    expect(preview.columns).toBe(1);
  });

  it("labels small values in exponent form", async () => {
    const texts = svgTexts(await plotSched({ hps: { lr: [0, 5e-6, 1e-5] } }).toSVG());
    for (const t of ["0", "2e-6", "1e-5"]) expect(texts).toContain(t);
    expect(texts).not.toContain("0.000002");
  });

  it("rejects missing hps and unknown keys with PlotError naming them", () => {
    expect(() => plotSched({})).toThrow(/recorder.hps is missing or empty/);
    expect(() => plotSched({ hps }, { keys: ["beta"] })).toThrow(
      /unknown key "beta"; recorder.hps has \[lr, mom, wd\]/,
    );
    expect(() => plotSched({ hps }, { keys: [] })).toThrow(/keys must be a non-empty array/);
  });
});
