export { ParamSchedulerError, TrackerError } from "./errors.js";
export { isLrFinderActive, LR_FINDER } from "./lr-finder/active.js";
export * from "./lr-finder/index.js";
export {
  type HyperSchedule,
  ParamScheduler,
  type ParamSchedulerOptions,
  type Scheds,
  type ScheduleValue,
} from "./param-scheduler.js";
export { SaveModel, type SaveModelOptions } from "./trackers/save-model.js";
export { type Comp, inferComp, TrackerCallback, type TrackerOptions } from "./trackers/tracker.js";
