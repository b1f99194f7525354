export type { PolicyFitOptions } from "./common.js";
export { PolicyError } from "./errors.js";
export { type FineTuneOptions, fineTune } from "./fine-tune.js";
export { type FitFlatCosOptions, fitFlatCos, flatCosScheds } from "./flat-cos.js";
export { type FitOneCycleOptions, fitOneCycle, type OneCycleShape, oneCycleScheds } from "./one-cycle.js";
export { type FitSgdrOptions, fitSgdr, sgdrEpochs, sgdrScheds } from "./sgdr.js";
