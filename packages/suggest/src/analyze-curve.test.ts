import { describe, expect, it } from "vitest";
import { analyzeLrFind, runStop } from "./analyze.js";
import { analyzeCurve } from "./analyze-curve.js";
import { LrFindError, SuggestError } from "./errors.js";
import { minimum } from "./minimum.js";
import type { LrFindCurve } from "./result.js";
import { valley } from "./valley.js";

/** The finder's exponential ramp over `n` of `numIt` iterations. */
const rampLrs = (n: number, numIt = 100) => Array.from({ length: n }, (_, i) => 1e-7 * 1e8 ** (i / numIt));

/**
 * 80 of 100 iterations: the training loss bottoms out at iteration 40 and ends above 4× its best
 * (the run diverged), the validation loss bottoms out at iteration 30 and ends only 2× above it.
 */
function diverged(): LrFindCurve {
  const n = 80;
  const losses = Array.from({ length: n }, (_, i) => (i < 40 ? 2 - i / 40 : 1 + ((i - 40) / 39) * 3.5));
  const validLosses = Array.from({ length: n }, (_, i) => (i < 30 ? 3 - i / 15 : 1 + (i - 30) / 49));
  const wiggle = (v: number, i: number) => v + (i % 2 === 0 ? 0.05 : -0.05);
  return {
    lrs: rampLrs(n),
    losses,
    rawLosses: losses.map(wiggle),
    validLosses,
    rawValidLosses: validLosses.map(wiggle),
  };
}

describe("analyzeCurve", () => {
  it('"train" (the default) is analyzeLrFind of the curve, options passed on', () => {
    const curve = diverged();
    const opts = { suggestFuncs: [valley, minimum], skipStart: 3, skipEnd: 2 };
    expect(analyzeCurve(curve, 100, opts)).toEqual(analyzeLrFind({ ...curve, numIt: 100 }, opts));
    expect(analyzeCurve(curve, 100, { ...opts, suggestOn: "train" })).toEqual(analyzeCurve(curve, 100, opts));
  });

  it('"valid": suggestions from validLosses, how the run ended from the training loss', () => {
    const curve = diverged();
    const a = analyzeCurve(curve, 100, { suggestFuncs: [minimum], suggestOn: "valid" });
    // The validation curve alone would read as "stopped": it never exceeds 4× its best.
    expect(runStop(curve.lrs, curve.validLosses as number[], 100).reason).toBe("stopped");
    expect(a.stop).toEqual({ reason: "diverged", iterations: 80, lr: curve.lrs[79] });
    // minimum: the lowest validation loss (iteration 30) / 10, marked on the validation curve.
    expect(a.suggestions.minimum).toEqual({ lr: (curve.lrs[30] as number) / 10, point: [curve.lrs[30], 1] });
    expect(a.losses).toEqual((curve.validLosses as number[]).slice(10, 75));
    expect(a).toEqual(
      analyzeLrFind(
        {
          lrs: curve.lrs,
          losses: curve.validLosses as number[],
          rawLosses: curve.rawValidLosses,
          numIt: 100,
        },
        { suggestFuncs: [minimum], stop: runStop(curve.lrs, curve.losses, 100) },
      ),
    );
  });

  it('"valid": too few points explain the training loss\'s divergence', () => {
    const curve = diverged();
    const cut = (v: number[] | undefined) => (v as number[]).slice(0, 14);
    const short: LrFindCurve = {
      lrs: cut(curve.lrs),
      losses: [...cut(curve.losses).slice(0, 13), 100],
      rawLosses: cut(curve.rawLosses),
      validLosses: cut(curve.validLosses),
      rawValidLosses: cut(curve.rawValidLosses),
    };
    const err = (() => {
      try {
        analyzeCurve(short, 100, { suggestOn: "valid", suggestFuncs: [valley], skipStart: 10 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LrFindError);
    expect((err as LrFindError).message).toMatch(/^lrFind: the loss diverged after 14 of 100/);
  });

  it("bad input: SuggestError", () => {
    const { validLosses: _v, rawValidLosses: _r, ...train } = diverged();
    expect(() => analyzeCurve(train, 100, { suggestOn: "valid" })).toThrow(SuggestError);
    expect(() => analyzeCurve(train, 100, { suggestOn: "valid" })).toThrow(
      'suggestOn "valid" needs curve.validLosses',
    );
    expect(() => analyzeCurve(train, 100, { suggestOn: "foo" as never })).toThrow(
      /options\.suggestOn must be "train" or "valid"; got "foo"/,
    );
  });
});
