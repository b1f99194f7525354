import { suggestFunc } from "./define.js";

/**
 * The middle of the longest valley: the longest strictly decreasing (not necessarily contiguous)
 * subsequence of the losses, first one to reach the longest length L ending at `end`;
 * `idx = start + ⌊(end − start)/3⌋ + ⌊(end − start)/6⌋` with `start = end − L` (≈ end − L/2).
 *
 * Deliberate difference from the reference: when the valley is the first two points (`start = −1`),
 * the reference's index −1 wraps to the LAST point; we clamp to index 0, the start of the descent.
 * A curve that never decreases gives index 0, like the reference.
 */
export const valley = suggestFunc(
  "valley",
  (lrs, losses) => {
    const n = losses.length;
    const lds = new Array<number>(n).fill(1);
    let maxStart = 0;
    let maxEnd = 0;
    for (let i = 1; i < n; i++) {
      const li = losses[i] as number;
      for (let j = 0; j < i; j++) {
        const dj = lds[j] as number;
        if (li < (losses[j] as number) && (lds[i] as number) < dj + 1) lds[i] = dj + 1;
      }
      // The reference updates inside the j loop; lds[i] can only pass the running maximum by one,
      // at its final value, so updating once per i gives the same start and end.
      if ((lds[i] as number) > (lds[maxEnd] as number)) {
        maxEnd = i;
        maxStart = maxEnd - (lds[i] as number);
      }
    }
    const sections = (maxEnd - maxStart) / 3;
    const idx = Math.max(0, maxStart + Math.trunc(sections) + Math.trunc(sections / 2));
    const lr = lrs[idx] as number;
    return { lr, point: [lr, losses[idx] as number] };
  },
  { minPoints: 1 },
);
