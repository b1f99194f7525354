export {
  type LrFindCurve,
  type LrFindDetails,
  LrFindError,
  type LrFindRepeats,
  RESERVED_NAMES,
  type SuggestedLRs,
} from "@sched/suggest";
export { type LrFindOptions, lrFind, type NamedSuggestFunc } from "./lr-find.js";
export { type FinderStop, LRFinder } from "./lr-finder.js";
export {
  type LRFinderOptions,
  LrFindOptionError,
  MIN_ITERATIONS,
  type StepMode,
  type SuggestOn,
} from "./options.js";
