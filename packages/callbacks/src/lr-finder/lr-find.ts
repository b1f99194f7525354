/** `lrFind`: run the LR range test on a learner and turn the curve into suggested LRs. */

import type { Learner } from "@sched/learner";
import {
  analyzeCurve,
  DEFAULT_SUGGEST_FUNCS,
  type DefaultSuggestion,
  type LrFindAnalysis,
  type LrFindCurve,
  lrFindResult,
  type NamedSuggestFunc,
  RESERVED_NAMES,
  type SuggestedLRs,
  type SuggestFunc,
} from "@sched/suggest";
import { LRFinder } from "./lr-finder.js";
import { checkRampGroups, finderSettings, type LRFinderOptions, LrFindOptionError } from "./options.js";
import { epochCounter } from "./snapshot.js";
import { validLoader } from "./validation.js";

export type { NamedSuggestFunc } from "@sched/suggest";

/** Options of `lrFind`: the finder's, the suggestion functions and repeats. */
export interface LrFindOptions<N extends string = DefaultSuggestion> extends LRFinderOptions {
  /** Suggestion functions; the result has one LR per function, keyed by its name (default `DEFAULT_SUGGEST_FUNCS`: `halfway`, the default suggestion, and fastai's `valley`). */
  suggestFuncs?: readonly NamedSuggestFunc<N>[] | undefined;
  /**
   * Runs the range test k times, each with other batch orders (the training loader's next k·nEpoch
   * epochs), restoring everything in between; each suggestion is then the median of the k runs,
   * with its quartiles in `result.repeats.stats` (default 1).
   */
  repeats?: number | undefined;
}

function checkFuncs(funcs: unknown): void {
  if (!Array.isArray(funcs) || funcs.length === 0) {
    throw new LrFindOptionError(
      `lrFind: suggestFuncs must be a non-empty array of suggestion functions, got ${String(funcs)}`,
    );
  }
  funcs.forEach((f, i) => {
    if (typeof f !== "function") {
      throw new LrFindOptionError(`lrFind: suggestFuncs[${i}] must be a function, got ${String(f)}`);
    }
    if (RESERVED_NAMES.includes(f.name)) {
      throw new LrFindOptionError(
        `lrFind: suggestFuncs[${i}] is named "${f.name}", which the result uses for its details ` +
          `(${RESERVED_NAMES.join(", ")}); rename it, e.g. with suggestFunc("my${f.name}", ...) from @sched/suggest`,
      );
    }
  });
}

/** Parameter groups the learner's optimizer would have (built and dropped: it holds no tensor yet). */
function countGroups(learn: Learner): number {
  const opt = learn.makeOpt();
  try {
    return opt.paramGroups.length;
  } finally {
    opt.dispose();
  }
}

/** Copies of what the recorder (and the finder, for the validation curve) holds after a run. */
function recordedCurve(learn: Learner, finder: LRFinder): LrFindCurve {
  const rec = learn.recorder;
  if (!rec) throw new LrFindOptionError("lrFind: the learner has no Recorder");
  const curve: LrFindCurve = { lrs: [...rec.lrs], losses: [...rec.losses], rawLosses: [...rec.batchLosses] };
  if (finder.validBatches > 0) {
    curve.validLosses = [...finder.validLosses];
    curve.rawValidLosses = [...finder.rawValidLosses];
  }
  return curve;
}

/**
 * Runs the LR range test (`LRFinder`) on `learn` under `noLogging`, for
 * `nEpoch = floor(numIt / len(train)) + 1` epochs, and returns the suggested LRs by suggestion
 * function name (in `suggestFuncs` order), computed by `analyzeLrFind` on `lrs[floor(numIt/10) : -5]`
 * of the iterations that ran, cut at the first non-finite loss: of the smoothed training loss, or
 * with `suggestOn: "valid"` of the smoothed validation loss (`validBatches` > 0), which is also in
 * `result.curve.validLosses`. Too few points throw `LrFindError` saying why. The model, the
 * optimizer (state and hypers), `learn.lr` and the loaders' positions are the same afterwards, bit
 * for bit; the recorder keeps the (last) run's `lrs` and `losses`.
 */
export async function lrFind<N extends string = DefaultSuggestion>(
  learn: Learner,
  opts: LrFindOptions<N> = {},
): Promise<SuggestedLRs<N>> {
  const settings = finderSettings(opts, "lrFind");
  const suggestFuncs = (opts.suggestFuncs ?? DEFAULT_SUGGEST_FUNCS) as readonly SuggestFunc[];
  checkFuncs(suggestFuncs);
  const repeats = opts.repeats ?? 1;
  if (typeof repeats !== "number" || !Number.isInteger(repeats) || repeats < 1) {
    throw new LrFindOptionError(`lrFind: repeats must be an integer >= 1, got ${String(repeats)}`);
  }
  const nBatches = learn.dls.train.length;
  if (!(nBatches > 0)) {
    throw new LrFindOptionError(`lrFind: the training loader has no batch (length ${nBatches})`);
  }
  // Checked before fit builds an optimizer, so a mismatch leaves the learner as it was.
  const groups = learn.opt ? learn.opt.paramGroups.length : countGroups(learn);
  checkRampGroups(settings, groups, "lrFind");
  if (settings.validBatches > 0) validLoader(learn, settings.validBatches, "lrFind");
  // The reference uses the caller's numIt; the clamped one makes sure all its iterations can run.
  const nEpoch = Math.floor(settings.numIt / nBatches) + 1;
  const finderOpts: LRFinderOptions = {
    startLr: settings.startLr,
    endLr: settings.endLr,
    numIt: settings.numIt,
    stopDiv: settings.stopDiv,
    stepMode: settings.stepMode,
    validBatches: settings.validBatches,
    suggestOn: settings.suggestOn,
  };

  const opt = learn.opt;
  const hypers = opt?.hypers.map((h) => ({ ...h }));
  const loader = epochCounter(learn.dls.train);
  const epoch0 = loader?.epoch ?? 0;
  const runs: LrFindAnalysis[] = [];
  let curve: LrFindCurve | undefined;
  try {
    for (let r = 0; r < repeats; r++) {
      if (loader) loader.epoch = epoch0 + r * nEpoch;
      const finder = new LRFinder(finderOpts);
      try {
        // Each run takes the same batches again (the valid loader is put back after each take).
        await finder.loadValidBatches(learn);
        await learn.noLogging(() => learn.fit(nEpoch, { cbs: [finder] }));
      } finally {
        finder.releaseValidBatches(); // the fit's cleanup did it, unless the fit never started
      }
      curve = recordedCurve(learn, finder);
      runs.push(analyzeCurve(curve, finder.numIt, { suggestFuncs, suggestOn: settings.suggestOn }));
    }
  } finally {
    if (loader) loader.epoch = epoch0;
    // `fit` set lr (and wd) on the optimizer before the finder took its snapshot: undo that too.
    if (opt && hypers && learn.opt === opt) {
      for (const name of Object.keys(hypers[0] ?? {})) {
        if (opt.hasHyper(name))
          opt.setHyper(
            name,
            hypers.map((h) => h[name] as number),
          );
      }
    }
  }

  // Shared with @sched/layers' lrFind: the same result shape and the same median-of-runs rule.
  return lrFindResult<N>(runs, curve as LrFindCurve, { suggestOn: settings.suggestOn });
}
