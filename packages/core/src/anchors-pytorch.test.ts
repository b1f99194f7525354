/**
 * anchors.md §2, PyTorch cases C1–C9 (C10 ReduceLROnPlateau is metric-driven: a callback, not a schedule).
 * PyTorch lists element k = the value in effect after k `step()` calls, i.e. at step k. Every schedule
 * here is a function of pos, read by step through `stepView(s, N)` (pos = k/N) with N chosen per case.
 * PyTorch tolerance: atol 1e-5.
 */
import { describe, expect, it } from "vitest";
import {
  combineScheds,
  cosineRestarts,
  cyclical,
  mulScheds,
  multiStep,
  oneCycle,
  SchedCos,
  SchedExp,
  SchedLin,
  SchedNo,
  SchedPolyDecay,
  ScheduleError,
  stepDecay,
  stepView,
} from "./index.js";
import { at, expectClose, range } from "./test-close.js";

const PT = { abs: 1e-5 };

describe("C1–C3 PyTorch OneCycleLR", () => {
  // OneCycleLR(total_steps=T) ends phase 1 at step pct_start·T − 1 and reaches its end at step T − 1,
  // so in pos terms: stepView(s, T − 1) and pctStart = (pct_start·T − 1)/(T − 1).
  const T = 10;
  const ptPct = (pct: number) => (pct * T - 1) / (T - 1);

  it("C1 linear, two phases: lr and momentum", () => {
    const lr = oneCycle({ start: 25 / 25, peak: 25, end: 1 / 2, pctStart: ptPct(0.3), anneal: "linear" });
    const mom = oneCycle({ start: 22, peak: 1, end: 22, pctStart: ptPct(0.3), anneal: "linear" });
    expectClose(at(stepView(lr, T - 1), range(T)), [1, 13, 25, 21.5, 18, 14.5, 11, 7.5, 4, 0.5], PT);
    expectClose(at(stepView(mom, T - 1), range(T)), [22, 11.5, 1, 4, 7, 10, 13, 16, 19, 22], PT);
  });

  it("C2 linear, three phases (three_phase ⇔ pctFinal = 2·pctStart)", () => {
    const p = ptPct(0.4);
    const lr = oneCycle({ start: 1, peak: 25, end: 1 / 4, pctStart: p, pctFinal: 2 * p, anneal: "linear" });
    const mom = oneCycle({ start: 22, peak: 1, end: 22, pctStart: p, pctFinal: 2 * p, anneal: "linear" });
    expectClose(at(stepView(lr, T - 1), range(T)), [1, 9, 17, 25, 17, 9, 1, 0.75, 0.5, 0.25], PT);
    expectClose(at(stepView(mom, T - 1), range(T)), [22, 15, 8, 1, 8, 15, 22, 22, 22, 22], PT);
  });

  it("C3 cosine, two phases", () => {
    const lr = oneCycle({ start: 1, peak: 25, end: 0.5, pctStart: ptPct(0.3) });
    const mom = oneCycle({ start: 22, peak: 1, end: 22, pctStart: ptPct(0.3) });
    expectClose(
      at(stepView(lr, T - 1), range(T)),
      [1, 13, 25, 23.786869, 20.38775, 15.475881, 10.024119, 5.11225, 1.713131, 0.5],
      PT,
    );
    expectClose(
      at(stepView(mom, T - 1), range(T)),
      [22, 11.5, 1, 2.039827, 4.953357, 9.16353, 13.83647, 18.046643, 20.960173, 22],
      PT,
    );
  });

  it("C1 past the horizon: PyTorch raises, stepView(..., { past: 'throw' }) does too", () => {
    const view = stepView(oneCycle({ start: 1, peak: 25, end: 0.5, pctStart: ptPct(0.3) }), T - 1, {
      past: "throw",
    });
    expect(view(T - 1)).toBeCloseTo(0.5, 12);
    expect(() => view(T)).toThrow('stepView: step 10 is past the horizon of 9 steps (past: "throw")');
  });
});

describe("C4 PyTorch CyclicLR (base_lr 1, max_lr 5, step_size_up 4; momentum 1..5)", () => {
  const N = 40; // any horizon: the cycle lengths are fractions of it
  const lr = (mode: "triangular" | "triangular2" | "expRange", extra: object = {}) =>
    stepView(cyclical({ start: 1, peak: 5, up: 4 / N, mode, ...extra }), N);
  const mom = (mode: "triangular" | "triangular2" | "expRange", extra: object = {}) =>
    stepView(cyclical({ start: 5, peak: 1, up: 4 / N, mode, ...extra }), N);

  it("C4 triangular", () => {
    expectClose(at(lr("triangular"), range(11)), [1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3], PT);
    expectClose(at(mom("triangular"), range(11)), [5, 4, 3, 2, 1, 2, 3, 4, 5, 4, 3], PT);
  });

  it("C4 triangular2 (22 steps)", () => {
    expectClose(
      at(lr("triangular2"), range(22)),
      [1, 2, 3, 4, 5, 4, 3, 2, 1, 1.5, 2, 2.5, 3, 2.5, 2, 1.5, 1, 1.25, 1.5, 1.75, 2, 1.75],
      PT,
    );
    expectClose(
      at(mom("triangular2"), range(22)),
      [5, 4, 3, 2, 1, 2, 3, 4, 5, 4.5, 4, 3.5, 3, 3.5, 4, 4.5, 5, 4.75, 4.5, 4.25, 4, 4.25],
      PT,
    );
  });

  it("C4 exp_range, gamma 0.9 per step (gammaPerUp = 0.9^step_size_up)", () => {
    const x = [0, 0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25, 0, 0.25, 0.5, 0.75, 1];
    const opts = { gammaPerUp: 0.9 ** 4 };
    expectClose(
      at(lr("expRange", opts), range(13)),
      [1, 1.9, 2.62, 3.187, 3.6244, 2.77147, 2.062882, 1.478297, 1, 1.38742, 1.697357, 1.941432, 2.129718],
      PT,
    );
    expectClose(
      at(mom("expRange", opts), range(13)),
      x.map((xk, k) => 5 - xk * 4 * 0.9 ** k),
      PT,
    );
  });

  it("C4 triangular with step_size_down 6", () => {
    const l = stepView(cyclical({ start: 1, peak: 5, up: 4 / N, down: 6 / N }), N);
    const m = stepView(cyclical({ start: 5, peak: 1, up: 4 / N, down: 6 / N }), N);
    expectClose(at(l, range(11)), [1, 2, 3, 4, 5, 13 / 3, 11 / 3, 3, 7 / 3, 5 / 3, 1], PT);
    expectClose(at(m, range(11)), [5, 4, 3, 2, 1, 5 / 3, 7 / 3, 3, 11 / 3, 13 / 3, 5], PT);
  });

  it("C4 per-group lists: base_lr [1,2], max_lr [5,6] → group 1 = group 0 + 1", () => {
    const g = stepView(cyclical({ start: [1, 2], peak: [5, 6], up: 4 / N }), N);
    const expected = [1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3];
    expectClose(
      at(g, range(11)),
      expected.map((v) => [v, v + 1]),
      PT,
    );
  });
});

describe("C5–C6 PyTorch CosineAnnealingWarmRestarts", () => {
  const C5 = [
    0.05, 0.0487764, 0.0452254, 0.0396946, 0.0327254, 0.025, 0.0172746, 0.0103054, 0.0047746, 0.0012236, 0.05,
    0.0496922, 0.0487764, 0.0472752, 0.0452254, 0.0426777, 0.0396946, 0.0363498, 0.0327254, 0.0289109, 0.025,
    0.0210891, 0.0172746, 0.0136502, 0.0103054, 0.0073223, 0.0047746, 0.0027248, 0.0012236, 0.0003078, 0.05,
    0.0499229,
  ];
  // The listed values are rounded to 1e-7.
  const R7 = { abs: 1.01e-7 };

  it("C5 T_0=10, T_mult=2, eta_min=1e-10: first cycle length as a fraction (cycles repeat to pos 1)", () => {
    const N = 100;
    const s = stepView(cosineRestarts({ max: 0.05, min: 1e-10, firstPct: 10 / N, cycleMult: 2 }), N);
    expectClose(at(s, range(32)), C5, R7);
  });

  it("C5 the same as exactly 3 cycles over 70 steps (fastai fitSgdr's form), and group 1 = × 10", () => {
    const s = stepView(cosineRestarts({ max: [0.05, 0.5], min: 1e-10, cycles: 3, cycleMult: 2 }), 70);
    expectClose(
      at(s, range(32)),
      C5.map((v) => [v, v * 10]),
      { abs: 1.01e-6 },
    );
  });

  it("C6 explicit, interleaved epochs (a closed form: any step, any order)", () => {
    const s = stepView(cosineRestarts({ max: 0.05, cycles: 4, cycleMult: 2 }), 150);
    const epochs = [0, 1, 2, 3, 4, 5, 25, 32, 33, 34, 80, 81, 3];
    const lr = [
      0.05, 0.0487764, 0.0452254, 0.0396946, 0.0327254, 0.025, 0.0073223, 0.0496922, 0.0493092, 0.0487764,
      0.048097, 0.0477036, 0.0396946,
    ];
    expectClose(at(s, epochs), lr, R7);
  });

  it("C6 T_mult=3 with fractional epochs: lr = ½·0.05·(1 + cos(π·T_cur/T_i)) for the listed (T_cur, T_i)", () => {
    const s = stepView(cosineRestarts({ max: 0.05, cycles: 3, cycleMult: 3 }), 130);
    const epochs = [0, 0.1, 0.2, 0.3, 1.3, 2.3, 17.5, 18.5, 19.5, 29.5, 30.5, 31.5, 50];
    const tCur = [0, 0.1, 0.2, 0.3, 1.3, 2.3, 7.5, 8.5, 9.5, 19.5, 20.5, 21.5, 10];
    const tI = [10, 10, 10, 10, 10, 10, 30, 30, 30, 30, 30, 30, 90];
    const expected = tCur.map((t, i) => (0.05 * (1 + Math.cos((Math.PI * t) / (tI[i] as number)))) / 2);
    expectClose(at(s, epochs), expected, PT);
  });
});

describe("C7–C9 PyTorch SequentialLR, ChainedScheduler, LinearLR / PolynomialLR / CosineAnnealingLR", () => {
  it("C7 ExponentialLR(0.8) then StepLR(0.1, 4) at milestone 3 (the second restarts from the base lr)", () => {
    const N = 19;
    const s = combineScheds(
      [3 / N, 16 / N],
      [SchedExp(0.05, 0.05 * 0.8 ** 3), stepDecay({ base: 0.05, every: 4 / 16, gamma: 0.1 })],
    );
    const expected = [0.05, 0.04, 0.032, ...[0.05, 0.005, 0.0005, 0.00005].flatMap((v) => [v, v, v, v])];
    expectClose(at(stepView(s, N), range(N)), expected, PT);
  });

  it("C7 ConstantLR(0.1, 3), ExponentialLR(0.8), StepLR(0.1, 2) at milestones [3, 6]", () => {
    const N = 12;
    const s = combineScheds(
      [3 / N, 3 / N, 6 / N],
      [
        SchedNo(0.005, 0.005),
        SchedExp(0.05, 0.05 * 0.8 ** 3),
        stepDecay({ base: 0.05, every: 2 / 6, gamma: 0.1 }),
      ],
    );
    expectClose(
      at(stepView(s, N), range(N)),
      [0.005, 0.005, 0.005, 0.05, 0.04, 0.032, 0.05, 0.05, 0.005, 0.005, 0.0005, 0.0005],
      PT,
    );
  });

  it("C8 LinearLR(0.4, 3) × MultiStepLR([4, 8, 10], 0.1): a product of schedules", () => {
    const N = 10;
    const linear = combineScheds([3 / N, 7 / N], [SchedLin(0.4, 1), SchedNo(1, 1)]);
    const steps = multiStep({ base: 0.05, milestones: [4 / N, 8 / N, 10 / N], gamma: 0.1 });
    expectClose(
      at(stepView(mulScheds([linear, steps]), N), range(N)),
      [0.02, 0.03, 0.04, 0.05, 0.005, 0.005, 0.005, 0.005, 0.0005, 0.0005],
      PT,
    );
  });

  it("C9 LinearLR(start_factor 0.5, total_iters 4), held past the horizon", () => {
    expectClose(
      at(stepView(SchedLin(0.025, 0.05), 4), range(8)),
      [0.025, 0.03125, 0.0375, 0.04375, 0.05, 0.05, 0.05, 0.05],
      PT,
    );
  });

  it("C9 PolynomialLR(power 0.9, total_iters 5)", () => {
    expectClose(
      at(stepView(SchedPolyDecay(0.05, 0, 0.9), 5), range(8)),
      [0.05, 0.0409026, 0.0315723, 0.0219192, 0.0117462, 0, 0, 0],
      PT,
    );
  });

  it("C9 CosineAnnealingLR(T_max 10, eta_min 1e-10) equals the first 10 values of C5", () => {
    expectClose(
      at(stepView(SchedCos(0.05, 1e-10), 10), range(10)),
      [0.05, 0.0487764, 0.0452254, 0.0396946, 0.0327254, 0.025, 0.0172746, 0.0103054, 0.0047746, 0.0012236],
      { abs: 1.01e-7 },
    );
  });

  it("C9 with past 'throw': reading beyond total_iters is an error instead of a held value", () => {
    const v = stepView(SchedLin(0.025, 0.05), 4, { past: "throw" });
    expect(v(4)).toBe(0.05);
    expect(() => v(4.5)).toThrow(ScheduleError);
  });
});
