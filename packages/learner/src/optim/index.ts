export { OptimizerError } from "./errors.js";
export { Adam, DEFAULT_LR, Lamb, type OptimizerFactoryOptions, RAdam, RMSProp, SGD } from "./factories.js";
export { evenMults, isLrSlice, lrSlice, spreadHyper } from "./hypers.js";
export { type ParamGroups, StagedOptimizer } from "./optimizer.js";
export {
  averageGrad,
  averageSqrGrad,
  l2Reg,
  type Stage,
  type StateKind,
  type StepContext,
  stepCount,
  weightDecay,
} from "./stages.js";
export type * from "./types.js";
export { adamStep, lambStep, radamStep, rmsPropStep, sgdStep } from "./updates.js";
