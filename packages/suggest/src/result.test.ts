import { describe, expect, it } from "vitest";
import { analyzeLrFind, type LrFindAnalysis } from "./analyze.js";
import type { Diagnostic } from "./diagnostics.js";
import { SuggestError } from "./errors.js";
import { minimum } from "./minimum.js";
import { aggregateRepeats } from "./repeats.js";
import {
  type LrFindCurve,
  type LrFindDetails,
  lossAt,
  lrFindResult,
  mergeDiagnostics,
  RESERVED_NAMES,
  suggestedLRs,
} from "./result.js";
import { valley } from "./valley.js";

/** Five points one decade apart, loss falling by 1 per decade: 5 at 1e-4 … 1 at 1. */
const curve: LrFindCurve = {
  lrs: [1e-4, 1e-3, 1e-2, 1e-1, 1],
  losses: [5, 4, 3, 2, 1],
  rawLosses: [5.1, 3.9, 3.1, 1.9, 1.1],
};

const tooFew = (points: number): Diagnostic => ({
  code: "too-few-points",
  message: `${points} points`,
  points,
  recommended: 20,
});
const noisy: Diagnostic = { code: "noisy", message: "noisy", noise: 1, drop: 2, ratio: 0.5 };

/** A hand-made analysis suggesting `valley` and `minimum` at the given LRs. */
function analysis(valleyLr: number, minimumLr: number, diagnostics: Diagnostic[] = []): LrFindAnalysis {
  return {
    suggestions: {
      valley: { lr: valleyLr, point: [valleyLr, 3] },
      minimum: { lr: minimumLr, point: [minimumLr * 10, 1] },
    },
    names: ["valley", "minimum"],
    lrs: curve.lrs.slice(1, 4),
    losses: curve.losses.slice(1, 4),
    start: 1,
    end: 4,
    stop: { reason: "completed", iterations: 5, lr: 1 },
    diagnostics,
  };
}

function details(a: LrFindAnalysis): LrFindDetails {
  return {
    names: a.names,
    suggestions: a.suggestions,
    diagnostics: a.diagnostics,
    curve,
    analysis: a,
    repeats: undefined,
  };
}

describe("suggestedLRs", () => {
  it("has the LRs as its only enumerable properties, in names order; the details are hidden and frozen", () => {
    const a = analysis(1e-2, 1e-3);
    const res = suggestedLRs({ minimum: 1e-3, valley: 1e-2 }, details(a));
    expect(Object.keys(res)).toEqual(["valley", "minimum"]);
    expect(JSON.stringify(res)).toBe('{"valley":0.01,"minimum":0.001}');
    expect(Object.getOwnPropertyNames(res)).toEqual(["valley", "minimum", ...RESERVED_NAMES]);
    for (const key of RESERVED_NAMES) {
      expect(Object.getOwnPropertyDescriptor(res, key)?.enumerable, key).toBe(false);
    }
    expect(res.curve).toBe(curve);
    expect(res.analysis).toBe(a);
    expect(res.repeats).toBeUndefined();
    expect(Object.isFrozen(res)).toBe(true);
    expect(() => {
      (res as unknown as Record<string, number>).valley = 1;
    }).toThrow(TypeError);
  });

  it("rejects a function named like a detail (it would be hidden): SuggestError naming it", () => {
    const a = { ...analysis(1e-2, 1e-3), names: ["curve"] };
    expect(() => suggestedLRs({ curve: 1e-2 }, details(a))).toThrow(SuggestError);
    expect(() => suggestedLRs({ curve: 1e-2 }, details(a))).toThrow(/named "curve"/);
  });
});

describe("mergeDiagnostics", () => {
  it("keeps each code once, its first occurrence, in order of appearance", () => {
    const first = tooFew(12);
    const runs = [analysis(1, 1, []), analysis(1, 1, [first, noisy]), analysis(1, 1, [tooFew(9)])];
    expect(mergeDiagnostics(runs)).toEqual([first, noisy]);
    expect(mergeDiagnostics(runs)[0]).toBe(first);
    expect(mergeDiagnostics([])).toEqual([]);
  });
});

describe("lossAt", () => {
  it("interpolates in log10(lr) and clamps to the end points", () => {
    expect(lossAt(curve.lrs, curve.losses, 10 ** -2.5)).toBeCloseTo(3.5, 12);
    expect(lossAt(curve.lrs, curve.losses, 1e-2)).toBeCloseTo(3, 12);
    expect(lossAt(curve.lrs, curve.losses, 1e-9)).toBe(5);
    expect(lossAt(curve.lrs, curve.losses, 100)).toBe(1);
  });

  it("skips points with a non-finite loss or an LR <= 0; NaN when none is left", () => {
    // Without the NaN at 1e-2 the neighbours are 1e-3 (4) and 1e-1 (2): halfway in log10 gives 3.
    expect(lossAt(curve.lrs, [5, 4, Number.NaN, 2, 1], 1e-2)).toBeCloseTo(3, 12);
    expect(lossAt([0, 1e-3, 1e-1], [9, 4, 2], 1e-5)).toBe(4);
    expect(lossAt([1e-3], [Number.POSITIVE_INFINITY], 1e-3)).toBeNaN();
    expect(lossAt([], [], 1e-3)).toBeNaN();
  });
});

describe("lrFindResult", () => {
  it("one run: that run's LRs, suggestions and diagnostics as they are; no repeats", () => {
    const a = analysis(1e-2, 1e-3, [noisy]);
    const res = lrFindResult<"valley" | "minimum">([a], curve);
    expect({ ...res }).toEqual({ valley: 1e-2, minimum: 1e-3 });
    expect(res.names).toEqual(["valley", "minimum"]);
    expect(res.suggestions).toBe(a.suggestions);
    expect(res.diagnostics).toBe(a.diagnostics);
    expect(res.analysis).toBe(a);
    expect(res.curve).toBe(curve);
    expect(res.repeats).toBeUndefined();
  });

  it("k runs: the median per function, marked on the curve at that LR; diagnostics merged; repeats", () => {
    // valley over the runs: 1e-4, 10^-2.5, 1e-1 → median 10^-2.5, whose loss on the curve is 3.5
    // (halfway between 1e-3 → 4 and 1e-2 → 3 in log10). minimum: 1e-3, 1e-2, 1e-2 → 1e-2, loss 3.
    const runs = [
      analysis(1e-1, 1e-3, [tooFew(12)]),
      analysis(10 ** -2.5, 1e-2, [noisy]),
      analysis(1e-4, 1e-2, [tooFew(9)]),
    ];
    const res = lrFindResult<"valley" | "minimum">(runs, curve);
    expect(Object.keys(res)).toEqual(["valley", "minimum"]);
    expect(res.valley).toBe(10 ** -2.5);
    expect(res.minimum).toBe(1e-2);
    expect(res.suggestions.valley.lr).toBe(10 ** -2.5);
    expect(res.suggestions.valley.point[0]).toBe(10 ** -2.5);
    expect(res.suggestions.valley.point[1]).toBeCloseTo(3.5, 12);
    expect(res.suggestions.minimum.point[1]).toBeCloseTo(3, 12);
    expect(res.diagnostics.map((d) => d.code)).toEqual(["too-few-points", "noisy"]);
    expect(res.diagnostics[0]).toBe(runs[0]?.diagnostics[0]);
    expect(res.analysis).toBe(runs[2]);
    expect(res.repeats?.k).toBe(3);
    expect(res.repeats?.runs).toEqual(runs);
    expect(res.repeats?.stats).toEqual(aggregateRepeats(runs.map((r) => r.suggestions)));
    expect(res.repeats?.stats.valley?.values).toEqual([1e-1, 10 ** -2.5, 1e-4]);
  });

  it("works on analyzeLrFind's own results", () => {
    const n = 100;
    const lrs = Array.from({ length: n }, (_, i) => 1e-7 * 1e8 ** (i / n));
    const losses = lrs.map((lr) => 0.4 + 2 / (1 + (lr / 1e-3) ** 1.5));
    const run = { lrs, losses, rawLosses: losses, numIt: n };
    const a = analyzeLrFind(run, { suggestFuncs: [valley, minimum] });
    const res = lrFindResult([a], { lrs, losses, rawLosses: losses });
    expect(res.names).toEqual(["valley", "minimum"]);
    expect(res.valley).toBe(a.suggestions.valley?.lr);
    expect(res.minimum).toBe(a.suggestions.minimum?.lr);
  });

  it('suggestOn "valid": the medians of k runs are marked on curve.validLosses', () => {
    // Validation losses 10, 8, 6, 4, 2 at 1e-4 … 1: valley's median 10^-2.5 sits at 7 on that curve.
    const withValid: LrFindCurve = {
      ...curve,
      validLosses: [10, 8, 6, 4, 2],
      rawValidLosses: [10, 8, 6, 4, 2],
    };
    const runs = [analysis(1e-1, 1e-3), analysis(10 ** -2.5, 1e-2), analysis(1e-4, 1e-2)];
    const res = lrFindResult<"valley" | "minimum">(runs, withValid, { suggestOn: "valid" });
    expect(res.valley).toBe(10 ** -2.5);
    expect(res.suggestions.valley.point[1]).toBeCloseTo(7, 12);
    expect(res.suggestions.minimum.point[1]).toBeCloseTo(6, 12);
    expect(res.curve).toBe(withValid);
    // The default (and "train") marks on the training curve, validation losses or not.
    expect(lrFindResult<"valley">(runs, withValid).suggestions.valley.point[1]).toBeCloseTo(3.5, 12);
  });

  it('rejects suggestOn "valid" on a curve without validLosses, and an unknown suggestOn', () => {
    const runs = [analysis(1e-1, 1e-3), analysis(1e-2, 1e-2)];
    expect(() => lrFindResult(runs, curve, { suggestOn: "valid" })).toThrow(SuggestError);
    expect(() => lrFindResult(runs, curve, { suggestOn: "valid" })).toThrow(/needs curve.validLosses/);
    const odd = { suggestOn: "test" } as unknown as { suggestOn: "train" };
    expect(() => lrFindResult(runs, curve, odd)).toThrow(/suggestOn must be "train" or "valid"; got "test"/);
  });

  it("rejects no runs with SuggestError", () => {
    expect(() => lrFindResult([], curve)).toThrow(SuggestError);
    expect(() => lrFindResult([], curve)).toThrow(/runs must be a non-empty array/);
  });
});
