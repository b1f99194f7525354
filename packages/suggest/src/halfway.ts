import { argmin } from "./curve.js";
import { suggestFunc } from "./define.js";

/**
 * Halfway down the descent: the LR at which the loss first falls to the midpoint between the highest
 * loss before the minimum and the minimum itself, interpolated in log10(lr) between the two points
 * that straddle that level; the plotted point is `(lr, level)`.
 *
 * Why: `valley` also aims at the middle of the descent, but measures the descent in points, as the
 * longest decreasing run. On smooth curves (large batches) the plateau at tiny LRs drifts down by
 * tiny amounts (about 1e-4 per point for tinyshakespeare), joins that run and drags its middle
 * decades to the left, onto the start of the real descent. Measured in loss, such a plateau adds almost nothing, so the middle stays put.
 * Not a fastai function (not in the reference). A curve that never decreases gives `lrs[0]`.
 */
export const halfway = suggestFunc(
  "halfway",
  (lrs, losses) => {
    const iMin = argmin(losses);
    const low = losses[iMin] as number;
    let iTop = 0;
    for (let i = 1; i <= iMin; i++) if ((losses[i] as number) > (losses[iTop] as number)) iTop = i;
    const top = losses[iTop] as number;
    if (!(top > low)) {
      const lr = lrs[iMin] as number;
      return { lr, point: [lr, low] };
    }
    const level = (top + low) / 2;
    // losses[iTop] > level >= losses[iMin], so a crossing exists in (iTop, iMin].
    let j = iTop + 1;
    while ((losses[j] as number) > level) j++;
    const y0 = losses[j - 1] as number;
    const y1 = losses[j] as number;
    const x0 = Math.log10(lrs[j - 1] as number);
    const x1 = Math.log10(lrs[j] as number);
    const lr = 10 ** (x0 + ((y0 - level) / (y0 - y1)) * (x1 - x0));
    return { lr, point: [lr, level] };
  },
  { minPoints: 2, increasingLrs: true },
);
