import { initBackend } from "@sched/learner";
import { plotSched } from "@sched/plot";
import { beforeAll, describe, expect, test } from "vitest";
import { fitFlatCos } from "./flat-cos.js";
import { fitOneCycle } from "./one-cycle.js";
import { quietLearner } from "./test-helpers.js";

beforeAll(async () => {
  await initBackend();
});

/** The data sets of a plotSched figure, by name. */
type Datasets = Record<string, { batch: number; value: number }[]>;

describe("plotSched after a policy (spec §9 item 16)", () => {
  test("fitOneCycle(2): one panel per scheduled hyper with every batch's value", async () => {
    const learn = quietLearner();
    await fitOneCycle(learn, 2);
    const rec = learn.recorder;
    if (!rec) throw new Error("no recorder");
    const fig = plotSched(rec);
    const datasets = (fig.spec as unknown as { datasets: Datasets }).datasets;
    expect(Object.keys(datasets).sort()).toEqual(["hp:lr", "hp:mom"]);
    expect(datasets["hp:lr"]?.map((d) => d.value)).toEqual(rec.hps.lr);
    expect(datasets["hp:mom"]?.map((d) => d.value)).toEqual(rec.hps.mom);
    expect(datasets["hp:mom"]?.map((d) => d.batch)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const svg = await fig.toSVG();
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("mom");
  });

  test("fitFlatCos(2): the lr panel only", async () => {
    const learn = quietLearner();
    await fitFlatCos(learn, 2);
    const rec = learn.recorder;
    if (!rec) throw new Error("no recorder");
    const datasets = (plotSched(rec).spec as unknown as { datasets: Datasets }).datasets;
    expect(Object.keys(datasets)).toEqual(["hp:lr"]);
    expect(datasets["hp:lr"]).toHaveLength(20);
    expect(datasets["hp:lr"]?.[0]?.value).toBe(1e-3);
  });
});
