import { argmin } from "./curve.js";
import { suggestFunc } from "./define.js";

/**
 * The left end of the steepest descending segment, slope measured against ln(lr):
 * `(loss[i+1] − loss[i]) / (ln lr[i+1] − ln lr[i])`, first index on ties.
 */
export const steep = suggestFunc(
  "steep",
  (lrs, losses) => {
    const slopes = losses
      .slice(1)
      .map(
        (next, i) =>
          (next - (losses[i] as number)) / (Math.log(lrs[i + 1] as number) - Math.log(lrs[i] as number)),
      );
    const i = Math.max(0, argmin(slopes));
    const lr = lrs[i] as number;
    return { lr, point: [lr, losses[i] as number] };
  },
  { minPoints: 2, increasingLrs: true },
);
