export {
  type AnalyzeOptions,
  analyzeLrFind,
  type LrFindAnalysis,
  type LrFindRun,
  runStop,
} from "./analyze.js";
export { type AnalyzeCurveOptions, analyzeCurve } from "./analyze-curve.js";
export { DEFAULT_SUGGEST_FUNCS, type DefaultSuggestion } from "./default-funcs.js";
export { type SuggestFuncOptions, suggestFunc } from "./define.js";
export {
  DEFAULT_THRESHOLDS,
  type Diagnostic,
  type DiagnosticThresholds,
  type DivergedEarly,
  type FlatCurve,
  type Noisy,
  type RunStop,
  rawNoise,
  type StopReason,
  type TooFewPoints,
} from "./diagnostics.js";
export { LrFindError, type LrFindFailure, SuggestError } from "./errors.js";
export { halfway } from "./halfway.js";
export { minimum } from "./minimum.js";
export { aggregateRepeats, type RepeatStats } from "./repeats.js";
export {
  type LrFindCurve,
  type LrFindDetails,
  type LrFindRepeats,
  type LrFindResultOptions,
  lossAt,
  lrFindResult,
  mergeDiagnostics,
  type NamedSuggestFunc,
  RESERVED_NAMES,
  type SuggestedLRs,
  suggestedLRs,
} from "./result.js";
export { type SlideOptions, slide, slideWith } from "./slide.js";
export { steep } from "./steep.js";
export type { SuggestFunc, Suggestion } from "./types.js";
export { valley } from "./valley.js";
