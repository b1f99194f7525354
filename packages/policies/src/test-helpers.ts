/** Test-only helpers: quiet synth learners that are disposed after each test. */

import type { Callback, DataLoaders, Learner } from "@sched/learner";
import { type RegModel, type SynthLearnerOptions, synthLearner } from "@sched/learner/testing";
import { afterEach } from "vitest";

export { testRelClose, twoGroups } from "@sched/learner/testing";

const open: Learner<RegModel, DataLoaders>[] = [];
afterEach(() => {
  for (const l of open.splice(0)) {
    l.dispose();
    l.dls.dispose();
  }
});

/** A silent synth learner (10 training batches, 2 validation batches by default), freed after the test. */
export function quietLearner(opts: SynthLearnerOptions = {}): Learner<RegModel, DataLoaders> {
  const learn = synthLearner(opts);
  learn.logger = () => {};
  open.push(learn);
  return learn;
}

/** Every group's value of `hyper` after each training batch, fit by fit (runs after the scheduler). */
export function hyperProbe(hyper: string, fits: number[][][]): Callback {
  return {
    name: "HyperProbe",
    order: 70,
    runValid: false,
    before_fit: () => {
      fits.push([]);
    },
    after_batch: (l) => fits.at(-1)?.push((l.opt?.hypers ?? []).map((h) => h[hyper] as number)),
  };
}

/** fastai's SchedCos, written out (independent of @sched/core). */
export const cos = (start: number, end: number, pos: number) =>
  start + ((1 + Math.cos(Math.PI * (1 - pos))) * (end - start)) / 2;

/** fastai's combined_cos, written out. */
export const combined = (pct: number, start: number, middle: number, end: number, pos: number) =>
  pos < pct ? cos(start, middle, pos / pct) : cos(middle, end, (pos - pct) / (1 - pct));
