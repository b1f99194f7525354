import { argmin } from "./curve.js";
import { suggestFunc } from "./define.js";

/**
 * One tenth of the LR at the lowest loss (first index on ties). The plotted point is the minimum
 * itself, `(lr_min, loss_min)`, not the suggestion, as in the reference.
 */
export const minimum = suggestFunc(
  "minimum",
  (lrs, losses) => {
    const i = argmin(losses);
    const lrMin = lrs[i] as number;
    return { lr: lrMin / 10, point: [lrMin, losses[i] as number] };
  },
  { minPoints: 1 },
);
