/** Property-based tests (fast-check): endpoints, bounds, continuity at joins, JSON round trips. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  combinedCos,
  combineScheds,
  cosineRestarts,
  cyclical,
  type Hyper,
  mulScheds,
  multiStep,
  oneCycle,
  piecewiseConstant,
  piecewiseInterpolate,
  SchedCos,
  SchedCosPow,
  SchedExp,
  SchedInvSqrt,
  SchedInvTime,
  SchedLin,
  SchedNo,
  SchedPoly,
  SchedPolyDecay,
  type Schedule,
  scaleSched,
  scheduleFromJSON,
  staircase,
  stepDecay,
  warmupStableDecay,
  withWarmup,
} from "./index.js";

/** Every annealer as (start, end) → schedule; `positive` ones need start, end > 0. */
const annealers: { name: string; positive: boolean; make: (s: Hyper, e: Hyper, k: number) => Schedule }[] = [
  { name: "SchedLin", positive: false, make: (s, e) => SchedLin(s, e) },
  { name: "SchedCos", positive: false, make: (s, e) => SchedCos(s, e) },
  { name: "SchedExp", positive: true, make: (s, e) => SchedExp(s, e) },
  { name: "SchedPoly", positive: false, make: (s, e, k) => SchedPoly(s, e, k) },
  { name: "SchedPolyDecay", positive: false, make: (s, e, k) => SchedPolyDecay(s, e, k) },
  { name: "SchedCosPow", positive: false, make: (s, e, k) => SchedCosPow(s, e, k) },
  { name: "SchedInvSqrt", positive: true, make: (s, e) => SchedInvSqrt(s, e) },
  { name: "SchedInvTime", positive: true, make: (s, e) => SchedInvTime(s, e) },
];

const value = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const positiveValue = fc.double({ min: 1e-8, max: 1e6, noNaN: true });
const power = fc.double({ min: 0.05, max: 8, noNaN: true });
const pos = fc.double({ min: 0, max: 1, noNaN: true });
const groups = (v: fc.Arbitrary<number>) => fc.oneof(v, fc.array(v, { minLength: 1, maxLength: 4 }));

/** |a − b| small relative to the magnitudes involved (a few ulps of the larger endpoint). */
const near = (a: number, b: number, scale: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, scale);
const asList = (h: Hyper, n: number): number[] => (typeof h === "number" ? new Array(n).fill(h) : [...h]);

describe("every annealer hits start at 0 and end at 1, and stays between them", () => {
  for (const a of annealers) {
    it(`${a.name}`, () => {
      const v = a.positive ? positiveValue : value;
      fc.assert(
        fc.property(groups(v), v, power, pos, (start, end, k, p) => {
          const s = a.make(start, end, k);
          const n = typeof start === "number" ? 1 : start.length;
          const starts = asList(start, n);
          const ends = asList(end, n);
          const at0 = asList(s(0), n);
          const at1 = asList(s(1), n);
          const atP = asList(s(p), n);
          starts.forEach((st, g) => {
            const en = ends[g] as number;
            const scale = Math.max(Math.abs(st), Math.abs(en));
            expect(near(at0[g] as number, st, scale), `start of group ${g}`).toBe(true);
            expect(near(at1[g] as number, en, scale), `end of group ${g}`).toBe(true);
            const lo = Math.min(st, en) - 1e-12 * scale;
            const hi = Math.max(st, en) + 1e-12 * scale;
            expect(atP[g] as number).toBeGreaterThanOrEqual(lo);
            expect(atP[g] as number).toBeLessThanOrEqual(hi);
          });
        }),
        { numRuns: 300 },
      );
    });
  }

  it("SchedNo is its start everywhere (end ignored, as the reference)", () => {
    fc.assert(fc.property(value, value, pos, (s, e, p) => SchedNo(s, e)(p) === s + 0));
  });
});

/**
 * Discrete continuity at `c` from the left: the last step into `c` is no bigger than ~the step before it
 * (a jump would be orders of magnitude bigger), up to float noise.
 */
function continuousAt(f: Schedule<number>, c: number, scale: number): boolean {
  const d = 1e-9;
  const last = Math.abs(f(c - d) - f(c));
  const before = Math.abs(f(c - 2 * d) - f(c - d));
  return last <= 3 * before + 1e-11 * scale;
}

describe("combined schedules are continuous where continuous pieces meet", () => {
  it("the continuity check itself catches a jump", () => {
    expect(
      continuousAt(
        combineScheds([0.5, 0.5], [SchedLin(0, 1), SchedLin(1 + 1e-6, 2)]) as Schedule<number>,
        0.5,
        2,
      ),
    ).toBe(false);
    expect(
      continuousAt(combineScheds([0.5, 0.5], [SchedLin(0, 1), SchedLin(1, 2)]) as Schedule<number>, 0.5, 2),
    ).toBe(true);
  });

  it("combineScheds of chained annealers: value at each boundary = the pieces' shared endpoint, no jump", () => {
    // Endpoints within a factor 100 of each other and powers ≥ 1 keep every piece's slope moderate near
    // its ends (an inverse sqrt rising 1e4-fold does most of it in the last 1e-8 of its span), so a left
    // limit 1e-9 away is a meaningful probe. Continuity itself holds for any parameters.
    const v = fc.double({ min: 0.1, max: 10, noNaN: true });
    const k = fc.double({ min: 1, max: 4, noNaN: true });
    const kind = fc.integer({ min: 0, max: annealers.length - 1 });
    const width = fc.double({ min: 0.02, max: 1, noNaN: true });
    const piece = fc.record({ kind, width, k, to: v });
    fc.assert(
      fc.property(v, fc.array(piece, { minLength: 2, maxLength: 6 }), (first, pieces) => {
        const total = pieces.reduce((t, x) => t + x.width, 0);
        const pcts = pieces.map((x) => x.width / total);
        let from = first;
        const scheds = pieces.map((x) => {
          const s = (annealers[x.kind] as (typeof annealers)[number]).make(from, x.to, x.k);
          from = x.to;
          return s;
        });
        const f = combineScheds(pcts, scheds) as Schedule<number>;
        const scale = Math.max(first, ...pieces.map((x) => x.to));
        let c = 0;
        for (let i = 0; i < pcts.length - 1; i++) {
          c += pcts[i] as number;
          expect(Math.abs(f(c) - (pieces[i] as { to: number }).to)).toBeLessThanOrEqual(1e-12 * scale);
          expect(continuousAt(f, c, scale), `boundary ${i} at ${c}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("combinedCos, oneCycle and withWarmup are continuous at their joins", () => {
    const v = fc.double({ min: 0.1, max: 10, noNaN: true });
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 0.95, noNaN: true }), v, v, v, (pct, a, b, c) => {
        const scale = Math.max(a, b, c);
        for (const f of [
          combinedCos(pct, a, b, c),
          oneCycle({ start: a, peak: b, end: c, pctStart: pct, anneal: "linear" }),
          withWarmup(SchedCos(b, c), { pct, init: a }),
        ] as Schedule<number>[]) {
          expect(Math.abs(f(pct) - b)).toBeLessThanOrEqual(1e-12 * scale);
          expect(continuousAt(f, pct, scale)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Random schedules of every family, nested up to `depth`; per-group arrays have `n` groups (0 = scalars). */
function schedule(depth: number, n: number): fc.Arbitrary<Schedule> {
  const h = n === 0 ? value : fc.oneof(value, fc.array(value, { minLength: n, maxLength: n }));
  const hp =
    n === 0
      ? positiveValue
      : fc.oneof(positiveValue, fc.array(positiveValue, { minLength: n, maxLength: n }));
  const frac = fc.double({ min: 0, max: 1, noNaN: true });
  const openFrac = fc.double({ min: 0, max: 0.99, noNaN: true });
  const sorted = (min: number) =>
    fc
      .uniqueArray(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: min, maxLength: 4 })
      .map((xs) => xs.sort((x, y) => x - y));
  const at = fc.constantFrom("new" as const, "old" as const);
  const leaves: fc.Arbitrary<Schedule>[] = [
    ...annealers.map((a) =>
      fc.tuple(a.positive ? hp : h, a.positive ? hp : h, power).map(([s, e, k]) => a.make(s, e, k)),
    ),
    fc.tuple(h, h).map(([s, e]) => SchedNo(s, e)),
    fc.tuple(frac, h, h, h).map(([p, s, m, e]) => combinedCos(p, s, m, e)),
    fc
      .tuple(h, h, h, frac, frac, fc.constantFrom("cos" as const, "linear" as const), fc.boolean())
      .map(([s, k, e, p1, p2, anneal, three]) =>
        oneCycle({
          start: s,
          peak: k,
          end: e,
          pctStart: Math.min(p1, p2),
          anneal,
          ...(three ? { pctFinal: Math.max(p1, p2) } : {}),
        }),
      ),
    fc
      .tuple(
        hp,
        fc.double({ min: 0, max: 0.45, noNaN: true }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom("linear" as const, "cos" as const, "1-sqrt" as const),
      )
      .map(([peak, w, d, minRatio, shape]) =>
        warmupStableDecay({ peak, warmupPct: w, decayPct: d, minRatio, warmup: shape, decay: shape }),
      ),
    fc
      .tuple(
        h,
        h,
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.double({ min: 0.1, max: 1, noNaN: true }),
        fc.boolean(),
      )
      .map(([max, min, cycles, mult, decay, byFirst]) =>
        cosineRestarts({
          max,
          min,
          cycleMult: mult,
          decay,
          ...(byFirst ? { firstPct: mult < 1 ? 1 : 1 / cycles } : { cycles }),
        }),
      ),
    fc
      .tuple(
        h,
        h,
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom("triangular" as const, "triangular2" as const, "expRange" as const),
        fc.double({ min: 0.1, max: 1, noNaN: true }),
      )
      .map(([start, peak, up, down, mode, g]) =>
        cyclical({ start, peak, up, down, mode, ...(mode === "expRange" ? { gammaPerUp: g } : {}) }),
      ),
    fc
      .tuple(sorted(0), at)
      .chain(([b, atBoundary]) =>
        fc
          .array(h, { minLength: b.length + 1, maxLength: b.length + 1 })
          .map((values) => piecewiseConstant({ boundaries: b, values, atBoundary })),
      ),
    fc
      .tuple(h, sorted(0), fc.double({ min: 0, max: 2, noNaN: true }), at)
      .map(([base, milestones, gamma, atBoundary]) => multiStep({ base, milestones, gamma, atBoundary })),
    fc
      .tuple(h, fc.double({ min: 0.01, max: 2, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), at)
      .map(([base, every, gamma, atBoundary]) => stepDecay({ base, every, gamma, atBoundary })),
    fc
      .tuple(
        fc.array(fc.tuple(frac, h), { minLength: 1, maxLength: 5 }),
        fc.constantFrom("linear" as const, "cos" as const),
      )
      .map(([knots, shape]) => piecewiseInterpolate({ knots: knots.sort((x, y) => x[0] - y[0]), shape })),
  ];
  if (depth === 0) return fc.oneof(...leaves);
  const child = schedule(depth - 1, n);
  const nodes: fc.Arbitrary<Schedule>[] = [
    fc
      .array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), child), { minLength: 1, maxLength: 4 })
      .filter((xs) => xs.some(([w]) => w > 0.01))
      .map((xs) => {
        const total = xs.reduce((t, [w]) => t + w, 0);
        return combineScheds(
          xs.map(([w]) => w / total),
          xs.map(([, s]) => s),
        );
      }),
    fc
      .tuple(child, openFrac, h, fc.constantFrom("linear" as const, "cos" as const))
      .map(([s, pct, init, shape]) => withWarmup(s, { pct, init, shape })),
    fc.tuple(child, h, h).map(([s, f, o]) => scaleSched(s, f, o)),
    fc.array(child, { minLength: 1, maxLength: 3 }).map((xs) => mulScheds(xs)),
    fc
      .tuple(child, fc.double({ min: 0.01, max: 1, noNaN: true }), at)
      .map(([s, every, atBoundary]) => staircase(s, every, atBoundary)),
  ];
  return fc.oneof({ depthSize: "small" }, ...leaves, ...nodes);
}

/** 1,000 positions from a seed: both ends, then uniform. */
function positions(seed: number): number[] {
  let x = seed >>> 0 || 1;
  const out = [0, 1];
  while (out.length < 1000) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.push((x >>> 0) / 4294967296);
  }
  return out;
}

describe("JSON round trip gives identical values on 1,000 random positions", () => {
  for (const n of [0, 3]) {
    it(`random nested schedules of every family (${n === 0 ? "scalars" : `${n} parameter groups`})`, () => {
      fc.assert(
        fc.property(schedule(2, n), fc.integer(), (s, seed) => {
          const text = JSON.stringify(s);
          const back = scheduleFromJSON(JSON.parse(text));
          expect(JSON.stringify(back)).toBe(text);
          for (const p of positions(seed)) {
            const a = s(p);
            const b = back(p);
            if (typeof a === "number") expect(Object.is(a, b), `pos ${p}: ${a} vs ${b}`).toBe(true);
            else expect(b).toEqual(a);
          }
        }),
        { numRuns: 150 },
      );
    });
  }
});
