import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type DataLoaders, initBackend, type Learner } from "@sched/learner";
import { type RegModel, synthLearner } from "@sched/learner/testing";
import { plotLrFind, plotSched } from "@sched/plot";
import { minimum, steep, valley } from "@sched/suggest";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { lrFind } from "./lr-find.js";
import { tempDir } from "./test-helpers.js";

beforeAll(async () => {
  await initBackend();
});

const open: Learner<RegModel, DataLoaders>[] = [];
afterEach(() => {
  for (const l of open.splice(0)) {
    l.dispose();
    l.dls.dispose();
  }
});

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Text content of the SVG's `<text>` elements. */
const texts = (svg: string) => [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
/** How a suggestion is labelled: its name and its LR with 3 significant digits, e.g. "valley 3.02e-3". */
const label = (name: string, lr: number | undefined) =>
  `${name} ${(lr ?? Number.NaN).toExponential(2).replace("e+", "e")}`;

function recorderOf(learn: Learner) {
  const rec = learn.recorder;
  if (!rec) throw new Error("no recorder");
  return rec;
}

describe("lrFind → plotLrFind", () => {
  test("the recorder and the result's suggestions make a PNG and an SVG with the suggestion labels", async () => {
    const learn = synthLearner({ seed: 5 });
    open.push(learn);
    const res = await lrFind(learn, { suggestFuncs: [valley, minimum, steep] });
    const fig = plotLrFind(recorderOf(learn), { suggestions: res.suggestions });
    const dir = tempDir("lrfind-plot-");
    const png = join(dir, "lr_find.png");
    await fig.save(png);
    const bytes = readFileSync(png);
    expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(bytes.length).toBeGreaterThan(5000);
    const svg = await fig.toSVG();
    const shown = texts(svg);
    for (const name of ["valley", "minimum", "steep"] as const) {
      expect(shown).toContain(label(name, res[name]));
    }
    expect(shown).toContain("Learning Rate");
    expect(shown).toContain("Loss");
    // The finder's ramp is in recorder.hps, so the schedule plot shows it too.
    const sched = await plotSched(recorderOf(learn)).toSVG();
    expect(texts(sched)).toContain("lr");
  });

  test("with repeats the markers carry the medians", async () => {
    const learn = synthLearner({ seed: 6 });
    open.push(learn);
    const res = await lrFind(learn, { repeats: 3 });
    const svg = await plotLrFind(recorderOf(learn), { suggestions: res.suggestions }).toSVG();
    expect(texts(svg)).toContain(label("valley", res.valley));
    expect(res.valley).toBe(res.repeats?.stats.valley?.median);
  });

  test("with validBatches, plotLrFind(res.curve) draws the training and the validation curves, markers on the latter", async () => {
    const learn = synthLearner({ seed: 7 });
    open.push(learn);
    const res = await lrFind(learn, { validBatches: 1, suggestOn: "valid", suggestFuncs: [minimum] });
    const fig = plotLrFind(res.curve, { suggestions: res.suggestions });
    const { datasets } = fig.spec as unknown as { datasets: { valid: { lr: number; loss: number }[] } };
    const n = res.curve.lrs.length - 5;
    const finite = (res.curve.validLosses as number[]).slice(0, n).filter(Number.isFinite).length;
    expect(datasets.valid).toHaveLength(finite);
    // The minimum's marker is a point of the validation curve.
    const [x, y] = (res.suggestions.minimum as { point: [number, number] }).point;
    expect(datasets.valid).toContainEqual({ lr: x, loss: y });
    const shown = texts(await fig.toSVG());
    for (const t of ["train", "valid", label("minimum", res.minimum)]) expect(shown).toContain(t);
  });
});
