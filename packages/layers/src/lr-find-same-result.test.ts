/**
 * Issue 9: lrFind "returns the same suggestions and diagnostics as @sched/callbacks". Both return
 * @sched/suggest's SuggestedLRs; this checks that the two objects are laid out alike (keys, hidden
 * details, their types and their own keys), not that their values agree: the runs differ.
 * @sched/callbacks is a devDependency of this test only.
 */
import { lrFind as learnerLrFind } from "@sched/callbacks";
import { synthLearner } from "@sched/learner/testing";
import { minimum, type SuggestedLRs, slide, steep, valley } from "@sched/suggest";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { lrFind } from "./lr-find.js";
import { mlp, regressionData, useBackend } from "./test-helpers.js";

useBackend();

let x: tf.Tensor2D;
let y: tf.Tensor2D;
beforeAll(() => {
  ({ x, y } = regressionData(256, 4));
});
afterAll(() => tf.dispose([x, y]));

const kind = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "array" : v === undefined ? "undefined" : typeof v;

/** Keys of an object with the kind of each value: the layout, without the values. */
const shape = (o: object): [string, string][] => Object.entries(o).map(([k, v]) => [k, kind(v)]);

/** Everything about a result's layout that does not depend on the numbers it holds. */
function layout(res: SuggestedLRs<string>): unknown {
  const own = Object.getOwnPropertyNames(res);
  return {
    keys: Object.keys(res),
    frozen: Object.isFrozen(res),
    properties: own.map((k) => {
      const d = Object.getOwnPropertyDescriptor(res, k) as PropertyDescriptor;
      return [k, d.enumerable, d.writable, d.configurable, kind(d.value)];
    }),
    names: res.names,
    suggestions: Object.entries(res.suggestions).map(([name, s]) => [name, shape(s), s.point.map(kind)]),
    diagnostics: res.diagnostics.every((d) => typeof d.code === "string" && typeof d.message === "string"),
    curve: shape(res.curve),
    analysis: shape(res.analysis),
    stop: shape(res.analysis.stop),
    repeats:
      res.repeats === undefined
        ? undefined
        : {
            shape: shape(res.repeats),
            statNames: Object.keys(res.repeats.stats),
            stats: Object.values(res.repeats.stats).map(shape),
            runs: res.repeats.runs.map(shape),
          },
  };
}

async function fromLayers(repeats: number): Promise<SuggestedLRs<string>> {
  const model = mlp(4);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
  try {
    return await lrFind(model, x, y, {
      seed: 1,
      repeats,
      endLr: 1,
      stopDiv: false,
      suggestFuncs: [valley, minimum, steep, slide],
    });
  } finally {
    model.dispose();
  }
}

async function fromLearner(repeats: number): Promise<SuggestedLRs<string>> {
  const learn = synthLearner({ seed: 0 });
  try {
    return await learnerLrFind(learn, { repeats, suggestFuncs: [valley, minimum, steep, slide] });
  } finally {
    learn.dispose();
    learn.dls.dispose();
  }
}

describe("@sched/layers' lrFind and @sched/callbacks' lrFind return the same thing", () => {
  it("one run: the same keys, the same hidden details, laid out alike", async () => {
    const [a, b] = [await fromLayers(1), await fromLearner(1)];
    expect(Object.keys(a)).toEqual(["valley", "minimum", "steep", "slide"]);
    expect(a.repeats).toBeUndefined();
    expect(layout(a)).toEqual(layout(b));
  });

  it("repeats: 2: also the same repeats layout", async () => {
    const [a, b] = [await fromLayers(2), await fromLearner(2)];
    expect(a.repeats?.k).toBe(2);
    expect(b.repeats?.k).toBe(2);
    expect(layout(a)).toEqual(layout(b));
  });

  it("the same type, for the default functions and for a named union", () => {
    type Layers<N extends string> = Awaited<ReturnType<typeof lrFind<N>>>;
    type Learner<N extends string> = Awaited<ReturnType<typeof learnerLrFind<N>>>;
    expectTypeOf<Layers<"valley">>().toEqualTypeOf<Learner<"valley">>();
    expectTypeOf<Layers<"valley" | "steep">>().toEqualTypeOf<SuggestedLRs<"valley" | "steep">>();
    expectTypeOf<Learner<"valley" | "steep">>().toEqualTypeOf<SuggestedLRs<"valley" | "steep">>();
  });
});
