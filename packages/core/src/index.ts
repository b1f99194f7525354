/**
 * @sched/core: training schedules as pure, serializable functions of training progress pos ∈ [0, 1].
 * Zero runtime dependencies; no Node APIs.
 */
export {
  SchedCos,
  SchedCosPow,
  SchedExp,
  SchedInvSqrt,
  SchedInvTime,
  SchedLin,
  SchedNo,
  SchedPoly,
  SchedPolyDecay,
} from "./annealers.js";
export { combinedCos, combineScheds, PCTS_SUM_TOLERANCE } from "./combine.js";
export { ScheduleError, type ScheduleErrorDetails } from "./errors.js";
export { mulScheds, scaleSched } from "./families/arithmetic.js";
export { type CyclicalMode, type CyclicalOptions, cyclical } from "./families/cyclical.js";
export { type PiecewiseInterpolateOptions, piecewiseInterpolate } from "./families/interpolate.js";
export { type OneCycleOptions, oneCycle } from "./families/onecycle.js";
export {
  type MultiStepOptions,
  multiStep,
  type PiecewiseConstantOptions,
  piecewiseConstant,
  type StepDecayOptions,
  staircase,
  stepDecay,
} from "./families/piecewise.js";
export { type CosineRestartsOptions, cosineRestarts } from "./families/restarts.js";
export {
  type WarmupOptions,
  type WarmupShape,
  type WarmupStableDecayOptions,
  type WsdShape,
  warmupStableDecay,
  withWarmup,
} from "./families/warmup.js";
export { type LintCode, type LintFinding, type LintOptions, type LintReport, lintSchedule } from "./lint.js";
export { COUNT_TOLERANCE } from "./quantize.js";
export { type Samples, sample } from "./sample.js";
export { BOUNDARY_TOLERANCE, POS_TOLERANCE } from "./schedule.js";
export { scheduleFromJSON, scheduleTypes } from "./serialize.js";
export { type PastHorizon, type StepSchedule, type StepViewOptions, stepView } from "./steps.js";
export type {
  AtBoundary,
  Broadcast,
  Broadcast3,
  Hyper,
  Joined,
  Schedule,
  ScheduleSpec,
  ValueOf,
} from "./types.js";
