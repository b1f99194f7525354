/**
 * anchors.md §2, optax cases C11–C14. optax schedules are functions of the step count with the end
 * reached at the last transition step and held after it: `stepView(s, N)` with N that step.
 */
import { describe, expect, it } from "vitest";
import {
  combineScheds,
  oneCycle,
  piecewiseConstant,
  piecewiseInterpolate,
  SchedCos,
  SchedCosPow,
  SchedNo,
  SchedPolyDecay,
  ScheduleError,
  stepView,
  withWarmup,
} from "./index.js";
import { at, expectClose, range } from "./test-close.js";

describe("C11 optax warmup_cosine_decay_schedule (decay_steps includes the warmup)", () => {
  it("C11 with exponent 2: init 0.2, peak 1.21, end −3, warmup 50, decay_steps 100 (rtol 1e-6)", () => {
    const s = withWarmup(SchedCosPow(1.21, -3.0, 2), { pct: 50 / 100, init: 0.2 });
    expectClose(at(stepView(s, 100), [0, 10, 50, 75, 100]), [0.2, 0.402, 1.21, -1.9475, -3.0], { rel: 1e-6 });
  });

  it("C11 peak 0: optax gives the end as a ratio of the peak (0 when peak is 0), so the end is 0", () => {
    const s = withWarmup(SchedCosPow(0, 0, 2), { pct: 0.5, init: 0.2 });
    expectClose(at(stepView(s, 100), [0, 10, 50, 75, 100]), [0.2, 0.16, 0, 0, 0], { rel: 1e-6, abs: 1e-12 });
  });

  it("C11 limits: init 10, peak 0.5, end 1e-4, warmup 100, decay_steps 1000", () => {
    const v = stepView(withWarmup(SchedCosPow(0.5, 1e-4, 1), { pct: 0.1, init: 10 }), 1000);
    expectClose([v(0), v(100), v(1000)], [10, 0.5, 1e-4], { rel: 1e-6 });
  });

  it("C11 decay_steps == warmup_steps raises (a warmup over the whole schedule)", () => {
    const build = () => withWarmup(SchedCos(1, 0), { pct: 100 / 100 });
    expect(build).toThrow(ScheduleError);
    expect(build).toThrow("withWarmup: pct must be in [0, 1), got 1");
  });
});

describe("C12 optax cosine_decay_schedule", () => {
  it("C12 exponent 2, alpha 0, decay_steps 100 (optax's expected values are float32: rel 1e-6)", () => {
    expectClose(
      at(stepView(SchedCosPow(0.1, 0, 2), 100), [0, 10, 50, 75, 100]),
      [0.1, 0.09516553580760956, 0.025, 0.0021446612663567066, 0.0],
      { rel: 1e-6, abs: 1e-15 },
    );
  });

  it("C12 alpha 0.1, decay_steps 5, steps 0..11 (held after step 5)", () => {
    const expected = range(12).map(
      (k) => 0.1 * (0.9 * 0.5 * (1 + Math.cos((Math.PI * Math.min(k, 5)) / 5)) + 0.1),
    );
    expectClose(at(stepView(SchedCos(0.1, 0.01), 5), range(12)), expected, { abs: 1e-12 });
  });

  it("C12 big step counts: decay_steps 1e10 at step 1e9", () => {
    expectClose([stepView(SchedCos(1000, 0), 1e10)(1e9)], [975.52826], { abs: 1e-5 });
  });
});

describe("C13 optax one-cycle schedules", () => {
  it("C13 cosine_onecycle_schedule: 5 steps, peak 1000, pct_start 0.4, div 10, final_div 100", () => {
    const s = oneCycle({ start: 1000 / 10, peak: 1000, end: 1000 / 10 / 100, pctStart: 0.4 });
    expectClose(at(stepView(s, 5), range(7)), [100, 550, 1000, 750.25, 250.75, 1, 1], { abs: 1e-9 });
  });

  it("C13 linear_onecycle_schedule: 10 steps, pct_start 0.3, pct_final 0.7 (three phases)", () => {
    const s = oneCycle({ start: 100, peak: 1000, end: 1, pctStart: 0.3, pctFinal: 0.7, anneal: "linear" });
    expectClose(at(stepView(s, 10), range(12)), [100, 400, 700, 1000, 775, 550, 325, 100, 67, 34, 1, 1], {
      abs: 1e-9,
    });
  });
});

describe("C14 optax piecewise schedules, join and SGDR", () => {
  it("C14 piecewise_interpolate linear, init 200, scales {5: 1.5, 10: 0.25} (as absolute knots)", () => {
    const N = 12;
    const s = piecewiseInterpolate({
      knots: [
        [0, 200],
        [5 / N, 200 * 1.5],
        [10 / N, 200 * 1.5 * 0.25],
      ],
    });
    expectClose(
      at(stepView(s, N), range(13)),
      [200, 220, 240, 260, 280, 300, 255, 210, 165, 120, 75, 75, 75],
      {
        abs: 1e-9,
      },
    );
  });

  it("C14 piecewise_interpolate cosine, init 400, scales {5: 1.2, 3: 0.6, 7: 1.0} (keys sorted by step)", () => {
    const N = 8;
    const s = piecewiseInterpolate({
      knots: [
        [0, 400],
        [3 / N, 240],
        [5 / N, 288],
        [7 / N, 288],
      ],
      shape: "cos",
    });
    expectClose(at(stepView(s, N), range(9)), [400, 360, 280, 240, 264, 288, 288, 288, 288], { abs: 1e-9 });
  });

  it("C14 a zero-length interval stays finite: {0: 2.0, 5: 3.0} on 13 → s(0)=26, s(5)=78", () => {
    const N = 10;
    const v = stepView(
      piecewiseInterpolate({
        knots: [
          [0, 13],
          [0, 26],
          [5 / N, 78],
        ],
      }),
      N,
    );
    expect(v(0)).toBe(26);
    expect(v(5)).toBe(78);
    expect(Number.isFinite(v(2.5) as number)).toBe(true);
  });

  it("C14 piecewise_constant 0.1, {3: 2.0, 6: 0.5}: switches at the boundary", () => {
    const N = 10;
    const s = piecewiseConstant({ boundaries: [3 / N, 6 / N], values: [0.1, 0.2, 0.1] });
    expectClose(at(stepView(s, N), range(10)), [0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1], {
      abs: 1e-12,
    });
  });

  it("C14 join_schedules of constants [1, 2, 1] at boundaries [3, 6]", () => {
    const N = 7;
    const s = combineScheds([3 / N, 3 / N, 1 / N], [SchedNo(1, 1), SchedNo(2, 2), SchedNo(1, 1)]);
    expect(at(stepView(s, N), range(7))).toEqual([1, 1, 1, 2, 2, 2, 1]);
  });

  it("C14 sgdr_schedule: warmup-cosine cycles of 2000/3000/5000 steps, warmup 500, peaks 1.6/0.8/0.4", () => {
    const cycle = (steps: number, peak: number) =>
      withWarmup(SchedCos(peak, 0), { pct: 500 / steps, init: 0 });
    const s = stepView(
      combineScheds([0.2, 0.3, 0.5], [cycle(2000, 1.6), cycle(3000, 0.8), cycle(5000, 0.4)]),
      10000,
    );
    expectClose([s(500), s(2500), s(5500)], [1.6, 0.8, 0.4], { abs: 1e-12 });
    expectClose([s(0), s(2000), s(5000)], [0, 0, 0], { abs: 1e-12 });
  });

  it("C14 polynomial_schedule with transition_begin 4: init 30, end 10, power 2, 10 transition steps", () => {
    const N = 20;
    const s = combineScheds(
      [4 / N, 10 / N, 6 / N],
      [SchedNo(30, 30), SchedPolyDecay(30, 10, 2), SchedNo(10, 10)],
    );
    const expected = [
      ...range(4).map(() => 30),
      ...range(10).map((n) => 10 + 20 * (1 - n / 10) ** 2),
      ...range(6).map(() => 10),
    ];
    expectClose(at(stepView(s, N), range(20)), expected, { abs: 1e-9 });
  });
});
