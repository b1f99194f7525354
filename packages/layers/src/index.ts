/**
 * @sched/layers: schedules, one-cycle and the LR finder for users of tfjs-layers `model.fit`.
 */
export { LayersError, UnsupportedHyperError, UnsupportedOptimizerError } from "./errors.js";
export { type HyperField, KNOWN_HYPERS, type OptimizerKind } from "./optimizers.js";
export {
  type HyperSchedule,
  type HyperSchedules,
  ScheduleCallback,
  type ScheduleCallbackOptions,
  scheduleCallback,
} from "./schedule-callback.js";
