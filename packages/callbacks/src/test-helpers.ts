/** Test-only helpers: quiet synth learners that are disposed after each test. */

import type { DataLoaders, Learner } from "@sched/learner";
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
