/**
 * @sched/layers: schedules, one-cycle and the LR finder for users of tfjs-layers `model.fit`.
 */

// lrFind's result type, shared with @sched/callbacks (both are built by @sched/suggest's lrFindResult).
export {
  type LrFindCurve,
  type LrFindDetails,
  type LrFindRepeats,
  type NamedSuggestFunc,
  RESERVED_NAMES,
  type SuggestedLRs,
} from "@sched/suggest";
export type { TensorData } from "./batches.js";
export type { CallbackInput, FitCallback } from "./callback-list.js";
export { LayersError, UnsupportedHyperError, UnsupportedOptimizerError } from "./errors.js";
export {
  type FitOneCycleDatasetOptions,
  type FitOneCycleOptions,
  fitOneCycle,
  type OneCycleHistory,
  type OneCycleOptions,
} from "./fit-one-cycle.js";
export { type LrFindOptions, lrFind, type ValidationData } from "./lr-find.js";
export { type HyperField, KNOWN_HYPERS, type OptimizerKind } from "./optimizers.js";
export {
  type HyperSchedule,
  type HyperSchedules,
  ScheduleCallback,
  type ScheduleCallbackOptions,
  scheduleCallback,
} from "./schedule-callback.js";
