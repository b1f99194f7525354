import type { Diagnostic } from "@sched/suggest";
import { describe, expect, it } from "vitest";
import { chooseLr, distrust, type FinderResult } from "./experiment.js";

const stop = { reason: "diverged", iterations: 37, lr: 1.58 } as const;
const divergedEarly: Diagnostic = { code: "diverged-early", message: "m", relativeDescent: 0.02, stop };
const flat: Diagnostic = { code: "flat-curve", message: "m", relativeDescent: 0.01, flatSpan: 0.9 };
const noisy = (ratio: number): Diagnostic => ({ code: "noisy", message: "m", noise: ratio, drop: 1, ratio });
const fewPoints: Diagnostic = { code: "too-few-points", message: "m", points: 12, recommended: 20 };

/** A finder result with the given halfway suggestion and diagnostics (the rest does not matter here). */
function finder(halfway: number | undefined, diagnostics: Diagnostic[] = []): FinderResult {
  return {
    lrs: [1e-3, 1e-2],
    losses: [1, 0.5],
    suggestions: halfway === undefined ? {} : { halfway: { lr: halfway, point: [halfway, 0.7] } },
    diagnostics,
    stop: "diverged",
  };
}

describe("distrust", () => {
  it("names the diagnostics that leave no usable descent, in order", () => {
    expect(distrust([divergedEarly])).toBe("diverged-early");
    expect(distrust([flat, noisy(1.498)])).toBe("flat-curve, noisy: scatter 150% of the descent");
  });

  it("lets a sound curve, a milder noise and few points through", () => {
    expect(distrust([])).toBeUndefined();
    expect(distrust([noisy(0.99), fewPoints])).toBeUndefined();
  });
});

describe("chooseLr", () => {
  it("trains at the halfway suggestion when the curve is trusted", () => {
    expect(chooseLr(finder(2.5e-2), 1e-3)).toEqual({ lr: 2.5e-2, lrSource: "halfway suggestion" });
    expect(chooseLr(finder(2.5e-2, [noisy(0.4)]), 1e-3)).toEqual({
      lr: 2.5e-2,
      lrSource: "halfway suggestion",
    });
  });

  it("falls back when there is no suggestion", () => {
    expect(chooseLr(finder(undefined), 1e-3)).toEqual({ lr: 1e-3, lrSource: "fallback (no suggestion)" });
  });

  it("falls back, saying why, when the diagnostics distrust the curve", () => {
    expect(chooseLr(finder(7.9e-7, [divergedEarly]), 2e-3)).toEqual({
      lr: 2e-3,
      lrSource: "fallback: the curve is not to be trusted (diverged-early)",
    });
  });
});
