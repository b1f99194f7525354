import { gradient32, interp } from "./curve.js";
import { suggestFunc } from "./define.js";
import { SuggestError } from "./errors.js";
import type { SuggestFunc } from "./types.js";

/** Parameters of `slideWith`; the defaults are the reference's. */
export interface SlideOptions {
  /** Distance, in points, between the two gradients compared (default 15). */
  lrDiff?: number | undefined;
  /** The window stops sliding once the two gradients differ by at most this (default 0.005). */
  thresh?: number | undefined;
  /** Multiplies the suggested LR (default 1). */
  adjustValue?: number | undefined;
  /** The function's name, which keys lrFind results (default "slide"). */
  name?: string | undefined;
}

/**
 * Builds a `slide` suggestion with custom parameters. It compares the loss gradient (`np.gradient`,
 * in float32) at `r` and `l = r − lrDiff`, starting from the last point and sliding left while they
 * differ by more than `thresh`; the suggestion is `lrs[l]` at the last `l` that differed (or the
 * first `l` tried), times `adjustValue`. Its point's loss is interpolated at the suggestion in
 * log10(lr), clamped to the end losses. Needs `lrDiff + 1` points (the reference threw IndexError).
 */
export function slideWith(options: SlideOptions = {}): SuggestFunc {
  const { lrDiff = 15, thresh = 0.005, adjustValue = 1, name = "slide" } = options;
  if (!Number.isInteger(lrDiff) || lrDiff < 1) {
    throw new SuggestError(`slideWith: lrDiff must be an integer >= 1; got ${lrDiff}`);
  }
  if (!(Number.isFinite(thresh) && thresh >= 0)) {
    throw new SuggestError(`slideWith: thresh must be a finite number >= 0; got ${thresh}`);
  }
  if (!(Number.isFinite(adjustValue) && adjustValue > 0)) {
    throw new SuggestError(`slideWith: adjustValue must be a finite number > 0; got ${adjustValue}`);
  }
  return suggestFunc(
    name,
    (lrs, losses) => {
      const g = gradient32(losses);
      let r = losses.length - 1;
      let l = r - lrDiff;
      let found = lrs[l] as number;
      // float32 difference, as the reference subtracts two float32 scalars.
      while (l >= 0 && Math.abs(Math.fround((g[r] as number) - (g[l] as number))) > thresh) {
        found = lrs[l] as number;
        r--;
        l--;
      }
      const lr = found * adjustValue;
      return { lr, point: [lr, interp(Math.log10(lr), lrs.map(Math.log10), losses)] };
    },
    { minPoints: lrDiff + 1, increasingLrs: true },
  );
}

/** The reference's `slide` (lrDiff 15, thresh 0.005, adjustValue 1); see `slideWith`. */
export const slide: SuggestFunc = slideWith();
