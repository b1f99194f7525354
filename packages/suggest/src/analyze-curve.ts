import { type AnalyzeOptions, analyzeLrFind, type LrFindAnalysis, runStop } from "./analyze.js";
import { SuggestError } from "./errors.js";
import type { LrFindCurve } from "./result.js";

/** Options of `analyzeCurve`: `analyzeLrFind`'s (but `stop`, which the curve gives) and the curve to read. */
export interface AnalyzeCurveOptions extends Omit<AnalyzeOptions, "stop"> {
  /** `"train"` (default): the smoothed training loss; `"valid"`: `curve.validLosses`. */
  suggestOn?: "train" | "valid" | undefined;
}

/**
 * One run's analysis from its recorded curve, shared by both lrFinds so that a run suggested from
 * its validation loss is read one way everywhere: the window and the suggestions come from
 * `validLosses` (diagnostics from `rawValidLosses`), while how the run ended, which the errors and
 * diagnostics explain, comes from the training loss that stopped it.
 */
export function analyzeCurve(
  curve: LrFindCurve,
  numIt: number,
  options: AnalyzeCurveOptions = {},
): LrFindAnalysis {
  const { suggestOn = "train", ...analyze } = options;
  if (suggestOn === "train") return analyzeLrFind({ ...curve, numIt }, analyze);
  if (suggestOn !== "valid") {
    throw new SuggestError(
      `analyzeCurve: options.suggestOn must be "train" or "valid"; got ${JSON.stringify(suggestOn)}`,
    );
  }
  if (!Array.isArray(curve.validLosses)) {
    throw new SuggestError('analyzeCurve: suggestOn "valid" needs curve.validLosses, but the curve has none');
  }
  const valid = { lrs: curve.lrs, losses: curve.validLosses, rawLosses: curve.rawValidLosses, numIt };
  return analyzeLrFind(valid, { ...analyze, stop: runStop(curve.lrs, curve.losses, numIt) });
}
