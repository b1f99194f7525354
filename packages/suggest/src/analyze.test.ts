import { describe, expect, it } from "vitest";
import { analyzeLrFind, type LrFindRun } from "./analyze.js";
import { DEFAULT_SUGGEST_FUNCS } from "./default-funcs.js";
import { suggestFunc } from "./define.js";
import { LrFindError, SuggestError } from "./errors.js";
import { halfway } from "./halfway.js";
import { minimum } from "./minimum.js";
import { slide, slideWith } from "./slide.js";
import { steep } from "./steep.js";
import type { SuggestFunc } from "./types.js";
import { valley } from "./valley.js";

/** The finder's exponential ramp: lr_i = 1e-7 · (10 / 1e-7)^(i / numIt). */
const rampLrs = (n: number, numIt = n) => Array.from({ length: n }, (_, i) => 1e-7 * 1e8 ** (i / numIt));
/** A parabola with its minimum (loss 1) at iteration 60. */
const bowl = (n: number) => Array.from({ length: n }, (_, i) => (i - 60) ** 2 / 100 + 1);
const run = (losses: number[], numIt = 100, lrs = rampLrs(losses.length, numIt)): LrFindRun => ({
  lrs,
  losses,
  numIt,
});

function lrFindError(fn: () => unknown): LrFindError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LrFindError) return e;
    throw e;
  }
  throw new Error("expected an LrFindError");
}

describe("analyzeLrFind", () => {
  it("analyses lrs[floor(numIt/10) : -5] and keys suggestions by name in suggestFuncs order", () => {
    const r = run(bowl(100));
    const lrs = r.lrs as number[];
    const a = analyzeLrFind(r, { suggestFuncs: [minimum, steep, valley, slide] });
    // 100 iterations → window 10..94 (85 points), as the reference.
    expect([a.start, a.end, a.lrs.length]).toEqual([10, 95, 85]);
    expect(a.lrs).toEqual(lrs.slice(10, 95));
    expect(a.names).toEqual(["minimum", "steep", "valley", "slide"]);
    expect(Object.keys(a.suggestions)).toEqual(a.names);
    // minimum: lowest loss at iteration 60 → lrs[60]/10, point (lrs[60], 1).
    expect(a.suggestions.minimum).toEqual({ lr: (lrs[60] as number) / 10, point: [lrs[60], 1] });
    // steep: constant ln-spacing, forward drops (2i − 119)/100 are most negative at the window start.
    expect(a.suggestions.steep?.lr).toBe(lrs[10]);
    // valley: strictly decreasing from 10 to 60 (51 points), then rising: L = 51 ending at window
    // index 50, start −1, ⌊51/3⌋ = 17, ⌊17/2⌋ = 8 → window index 24 → iteration 34.
    expect(a.suggestions.valley?.lr).toBe(lrs[34]);
    // slide: gradients 15 apart differ by 0.3 everywhere → slides to the window start.
    expect(a.suggestions.slide?.lr).toBe(lrs[10]);
    expect(a.stop).toEqual({ reason: "completed", iterations: 100, lr: lrs[99] });
    expect(a.diagnostics).toEqual([]);
  });

  it("defaults to halfway, then fastai's valley", () => {
    const r = run(bowl(100));
    const a = analyzeLrFind(r);
    expect(a.names).toEqual(["halfway", "valley"]);
    expect(DEFAULT_SUGGEST_FUNCS.map((f) => f.name)).toEqual(["halfway", "valley"]);
    expect(a.suggestions.halfway).toEqual(halfway(a.lrs, a.losses, 100));
    expect(a.suggestions.valley).toEqual(valley(a.lrs, a.losses, 100));
    expect(Object.isFrozen(DEFAULT_SUGGEST_FUNCS)).toBe(true);
  });

  it("gives each function its own copy of the curve", () => {
    function wipe(lrs: number[], losses: number[]) {
      losses.fill(0);
      return { lr: lrs[0] as number, point: [lrs[0] as number, 0] as [number, number] };
    }
    const r = run(bowl(100));
    const a = analyzeLrFind(r, { suggestFuncs: [wipe, minimum] });
    expect(a.suggestions.minimum?.point[1]).toBe(1);
    expect(r.losses[60]).toBe(1);
  });

  it("cuts the window at the first non-finite loss", () => {
    // The finder stopped at a NaN at iteration 70 (71 recorded): window 10..65 (N − 5 = 66).
    const stopped = [...bowl(70), Number.NaN];
    const a = analyzeLrFind(run(stopped), { suggestFuncs: [minimum] });
    expect([a.start, a.end]).toEqual([10, 66]);
    expect(a.stop.reason).toBe("non-finite");
    expect(a.stop.iterations).toBe(70);
    // A run that kept recording NaN from iteration 60: window 10..95 cut at 60.
    const tail = bowl(100).map((l, i) => (i >= 60 ? Number.NaN : l));
    expect(analyzeLrFind(run(tail)).end).toBe(60);
  });

  it("a run that diverged at once throws LrFindError saying to lower startLr", () => {
    // Loss doubles each step: iteration 3 (8 > 4 × 1) stops the run with 4 recorded, below the
    // 10 skipped at the start.
    const e = lrFindError(() => analyzeLrFind(run([1, 2, 4, 8])));
    expect(e.reason).toBe("diverged");
    expect([e.points, e.needed]).toEqual([0, 2]);
    expect(e.message).toMatch(/diverged after 4 of 100 .*Lower startLr/);
    const nan = lrFindError(() => analyzeLrFind(run([1, 1.1, Number.NaN])));
    expect(nan.reason).toBe("diverged");
    expect(nan.message).toMatch(/became non-finite at iteration 2 of 100/);
  });

  it("a run that is too short throws LrFindError saying how far to raise numIt", () => {
    // numIt 10: window 1..4 (4 points); slide needs 16. Smallest m with m − ⌊m/10⌋ − 5 ≥ 16 is 23.
    const down = Array.from({ length: 10 }, (_, i) => 10 - i);
    const e = lrFindError(() => analyzeLrFind(run(down, 10), { suggestFuncs: [valley, slide] }));
    expect(e.reason).toBe("too-short");
    expect([e.points, e.needed]).toEqual([4, 16]);
    expect(e.message).toMatch(/slide needs 16.*Raise numIt \(to at least 23\)/);
    // numIt 6 (C19: fewer than skipStart + skipEnd + 2 iterations must raise): window 0..0, 1 point;
    // m − ⌊m/10⌋ − 5 ≥ 2 first at m = 7.
    const six = lrFindError(() => analyzeLrFind(run(down.slice(0, 6), 6)));
    expect(six.message).toMatch(/to at least 7/);
  });

  it("a run stopped early without diverging says to let it finish", () => {
    const e = lrFindError(() => analyzeLrFind(run(new Array(14).fill(1))));
    expect(e.reason).toBe("stopped");
    expect(e.message).toMatch(/stopped after 14 of 100 iterations.*Let the run finish/);
  });

  it("follows C20's skip table (lrs = 1..n) with explicit skipStart / skipEnd", () => {
    const at = (skipStart: number, skipEnd: number, losses: number[]) => () =>
      analyzeLrFind(
        run(
          losses,
          losses.length,
          losses.map((_, i) => i + 1),
        ),
        { suggestFuncs: [steep], skipStart, skipEnd },
      );
    expect(at(0, 1, [0, 1, 2])().suggestions.steep).toBeDefined();
    expect(at(0, 2, [0, 1, 2])).toThrow(LrFindError);
    expect(at(1, 1, [0, 1, 2])).toThrow(LrFindError);
    expect(at(1, 1, [0, 1, 2, 3])().suggestions.steep).toBeDefined();
    // [nan,nan,0,inf,1,2,3,inf,2,nan,1] sliced [4:10] = [1,2,3,inf,2,nan] → cut at inf → 3 points.
    const nf = [
      Number.NaN,
      Number.NaN,
      0,
      Number.POSITIVE_INFINITY,
      1,
      2,
      3,
      Number.POSITIVE_INFINITY,
      2,
      Number.NaN,
      1,
    ];
    const a = at(4, 1, nf)();
    expect(a.losses).toEqual([1, 2, 3]);
  });

  it("skip parameters change the answer", () => {
    // lrs e^i; losses [5, 1, 0.9, 0.5, 0.45]: slopes [−4, −0.1, −0.4, −0.05] → lrs[0];
    // skipping the first point leaves slopes [−0.1, −0.4, −0.05] → window 1 → lrs[2].
    const lrs = [0, 1, 2, 3, 4].map(Math.exp);
    const r = run([5, 1, 0.9, 0.5, 0.45], 5, lrs);
    expect(analyzeLrFind(r, { suggestFuncs: [steep], skipStart: 0, skipEnd: 0 }).suggestions.steep?.lr).toBe(
      lrs[0],
    );
    expect(analyzeLrFind(r, { suggestFuncs: [steep], skipStart: 1, skipEnd: 0 }).suggestions.steep?.lr).toBe(
      lrs[2],
    );
  });

  it("rejects duplicate and missing names with SuggestError", () => {
    const r = run(bowl(100));
    expect(() => analyzeLrFind(r, { suggestFuncs: [valley, slide, slideWith({ lrDiff: 10 })] })).toThrow(
      /suggestFuncs\[1\] and suggestFuncs\[2\] are both named "slide"/,
    );
    expect(
      analyzeLrFind(r, { suggestFuncs: [slide, slideWith({ lrDiff: 10, name: "slide10" })] }).names,
    ).toEqual(["slide", "slide10"]);
    const anonymous = [(lrs: number[]) => ({ lr: lrs[0] as number, point: [1, 1] as [number, number] })];
    Object.defineProperty(anonymous[0], "name", { value: "" });
    expect(() => analyzeLrFind(r, { suggestFuncs: anonymous })).toThrow(
      /suggestFuncs\[0\]: .*non-empty name/,
    );
    expect(() => suggestFunc("3", () => ({ lr: 1, point: [1, 1] }))).toThrow(/looks like an array index/);
    expect(() => analyzeLrFind(r, { suggestFuncs: [] })).toThrow(/non-empty array/);
  });

  it("rejects bad input with SuggestError naming the argument", () => {
    const r = run(bowl(100));
    expect(() => analyzeLrFind({ ...r, numIt: 0 })).toThrow(/run.numIt must be an integer >= 1; got 0/);
    expect(() => analyzeLrFind({ ...r, losses: bowl(99) })).toThrow(/same length; got 100 and 99/);
    expect(() => analyzeLrFind({ ...r, rawLosses: [1, 2] })).toThrow(
      /run.rawLosses must have the length .*got 2/,
    );
    expect(() => analyzeLrFind(r, { skipEnd: -1 })).toThrow(/skipEnd must be an integer >= 0; got -1/);
    const broken: SuggestFunc = function broken() {
      return { lr: Number.NaN, point: [1, 1] };
    };
    expect(() => analyzeLrFind(r, { suggestFuncs: [broken] })).toThrow(SuggestError);
    expect(() => analyzeLrFind(r, { suggestFuncs: [broken] })).toThrow(/suggestFuncs\[0\] \("broken"\)/);
  });
});

describe("analyzeLrFind with options.stop (a curve the run did not watch, e.g. validation losses)", () => {
  it("uses the given stop for the result, the diagnostics and the error, and the losses for the window", () => {
    // The run diverged on its training loss after 30 iterations; the analysed (validation) curve did not blow up.
    const stop = { reason: "diverged" as const, iterations: 30, lr: 1e-3 };
    const losses = bowl(30);
    const a = analyzeLrFind(run(losses), { suggestFuncs: [minimum], stop });
    expect(a.stop).toBe(stop);
    expect([a.start, a.end]).toEqual([10, 25]);
    expect(a.suggestions.minimum?.lr).toBe(minimum(a.lrs, a.losses, 100).lr);
    const few = a.diagnostics.find((d) => d.code === "too-few-points");
    expect(few?.message).toMatch(/lower startLr .*diverged after 30 of 100 iterations/);
    // Without it, the same curve reads as a run that stopped for another reason.
    expect(analyzeLrFind(run(losses), { suggestFuncs: [minimum] }).stop.reason).toBe("stopped");
    const e = lrFindError(() => analyzeLrFind(run(bowl(12)), { stop }));
    expect(e.reason).toBe("diverged");
    expect(e.message).toMatch(/diverged after 30 of 100.*Lower startLr/);
  });

  it("rejects a stop that is not a RunStop: SuggestError showing it", () => {
    const bad = { reason: "exploded", iterations: 3, lr: 1 } as unknown as {
      reason: "stopped";
      iterations: number;
      lr: number;
    };
    expect(() => analyzeLrFind(run(bowl(100)), { stop: bad })).toThrow(SuggestError);
    expect(() => analyzeLrFind(run(bowl(100)), { stop: bad })).toThrow(
      /options.stop must be a RunStop.*"exploded"/,
    );
  });
});
