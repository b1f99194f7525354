import type { Learner } from "@sched/learner";

/** Marks a callback as an LR finder, so trackers can tell a range test from real training. */
export const LR_FINDER: unique symbol = Symbol.for("@sched/callbacks.lrFinder");

/** True while an LR finder is among the learner's callbacks: trackers (SaveModel, …) stay quiet then. */
export function isLrFinderActive(learn: Learner): boolean {
  return learn.cbs.some((cb) => (cb as { [LR_FINDER]?: boolean })[LR_FINDER] === true);
}
