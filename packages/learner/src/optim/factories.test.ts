/**
 * Each optimizer against its update rule written out in plain float64 arithmetic (spec §7): two or three
 * steps on 2-element variables with fixed gradients, compared with a float32 tolerance.
 */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { Adam, Lamb, RAdam, RMSProp, SGD } from "./index.js";
import { disposeAll, expectClose, stepWith, values, variables } from "./test-helpers.js";
import type { Optimizer } from "./types.js";

const G = [
  [0.5, 1],
  [-1, 2],
  [0.25, -0.5],
];
const P0 = [1, -2];

let vars: tf.Variable[] = [];
let opt: Optimizer | undefined;
let before = 0;
beforeAll(async () => {
  await initBackend();
});
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  opt?.dispose();
  disposeAll(vars);
  opt = undefined;
  vars = [];
  expect(tf.memory().numTensors, "tensors leaked by the test").toBe(before);
});

/** A one-variable optimizer at P0. */
function single(make: (v: tf.Variable[]) => Optimizer): [Optimizer, tf.Variable] {
  vars = variables(P0);
  opt = make(vars);
  return [opt, vars[0] as tf.Variable];
}
const gradAvgOf = (o: Optimizer, i = 0) => {
  const sd = o.stateDict();
  const out = values(sd.state[i]?.gradAvg as tf.Tensor);
  for (const s of sd.state) for (const t of Object.values(s)) if (typeof t !== "number") t.dispose();
  return out;
};
const stateOf = (o: Optimizer, i = 0): Record<string, number[] | number> => {
  const sd = o.stateDict();
  const out: Record<string, number[] | number> = {};
  for (const [k, t] of Object.entries(sd.state[i] ?? {})) out[k] = typeof t === "number" ? t : values(t);
  for (const s of sd.state) for (const t of Object.values(s)) if (typeof t !== "number") t.dispose();
  return out;
};

describe("SGD", () => {
  it("without momentum: p -= lr*g, and keeps no state", () => {
    const [o, v] = single((vs) => SGD([vs], { lr: 0.1 }));
    let p = [...P0];
    for (const g of G) {
      stepWith(o, [v], [g]);
      p = p.map((x, i) => x - 0.1 * (g[i] as number));
      expectClose(values(v), p);
    }
    const sd = o.stateDict();
    expect(sd.state).toEqual([{}]);
    expect(sd.hypers).toEqual([{ lr: 0.1, mom: 0, wd: 0 }]);
  });

  it("with momentum (no dampening) and decoupled weight decay", () => {
    const [o, v] = single((vs) => SGD([vs], { lr: 0.1, mom: 0.9, wd: 0.1 }));
    let p = [...P0];
    let avg = [0, 0];
    for (const g of G) {
      stepWith(o, [v], [g]);
      avg = avg.map((a, i) => 0.9 * a + (g[i] as number));
      p = p.map((x, i) => x * (1 - 0.1 * 0.1) - 0.1 * (avg[i] as number));
      expectClose(values(v), p);
      expectClose(gradAvgOf(o), avg);
    }
  });

  it("with L2 regularisation (decoupleWd false): grad += wd*p before the momentum average", () => {
    const [o, v] = single((vs) => SGD([vs], { lr: 0.1, mom: 0.9, wd: 0.1, decoupleWd: false }));
    let p = [...P0];
    let avg = [0, 0];
    for (const g of G) {
      stepWith(o, [v], [g]);
      const g2 = g.map((x, i) => x + 0.1 * (p[i] as number));
      avg = avg.map((a, i) => 0.9 * a + (g2[i] as number));
      p = p.map((x, i) => x - 0.1 * (avg[i] as number));
      expectClose(values(v), p);
    }
  });

  it("a momentum changed between steps is used by the next step (including from and to 0)", () => {
    const [o, v] = single((vs) => SGD([vs], { lr: 0.1, mom: 0 }));
    const moms = [0, 0.9, 0.5];
    let p = [...P0];
    let avg: number[] | undefined;
    G.forEach((g, t) => {
      const mom = moms[t] as number;
      o.setHyper("mom", mom);
      stepWith(o, [v], [g]);
      // As the reference once momentum exists; starting at 0 means no average until mom is non-zero.
      if (avg !== undefined || mom !== 0) avg = (avg ?? [0, 0]).map((a, i) => mom * a + (g[i] as number));
      const d = avg ?? g;
      p = p.map((x, i) => x - 0.1 * (d[i] as number));
      expectClose(values(v), p);
    });
    expectClose(gradAvgOf(o), avg as number[]);
  });

  it("skips weight decay for noWd parameters", () => {
    vars = variables(P0, [3, 4]);
    const [a, b] = vars as [tf.Variable, tf.Variable];
    opt = SGD([vars], { lr: 0.1, wd: 0.5, noWd: new Set([b]) });
    stepWith(opt, vars, [G[0] as number[], [1, 1]]);
    expectClose(
      values(a),
      P0.map((x, i) => x * (1 - 0.05) - 0.1 * (G[0]?.[i] as number)),
    );
    expectClose(values(b), [3 - 0.1, 4 - 0.1]);
  });
});

/** Adam-family moments in float64: dampened gradient average and squared average. */
function moments(
  avg: number[],
  sqr: number[],
  g: number[],
  mom: number,
  sqrMom: number,
): [number[], number[]] {
  return [
    avg.map((a, i) => mom * a + (1 - mom) * (g[i] as number)),
    sqr.map((s, i) => sqrMom * s + (1 - sqrMom) * (g[i] as number) ** 2),
  ];
}

describe("Adam", () => {
  const adamRef = (moms: number[], wd: number, decouple: boolean) => {
    let p = [...P0];
    let avg = [0, 0];
    let sqr = [0, 0];
    const out: number[][] = [];
    G.forEach((g0, t) => {
      const [lr, mom, sqrMom, eps, step] = [0.01, moms[t] as number, 0.99, 1e-5, t + 1];
      if (decouple) p = p.map((x) => x * (1 - lr * wd));
      const g = decouple ? g0 : g0.map((x, i) => x + wd * (p[i] as number));
      [avg, sqr] = moments(avg, sqr, g, mom, sqrMom);
      const d1 = 1 - mom ** step;
      const d2 = 1 - sqrMom ** step;
      p = p.map((x, i) => x - (lr / d1) * ((avg[i] as number) / (Math.sqrt((sqr[i] as number) / d2) + eps)));
      out.push(p);
    });
    return { out, avg, sqr };
  };

  it("defaults: mom 0.9, sqrMom 0.99, eps 1e-5, wd 0.01, decoupled", () => {
    vars = variables(P0);
    opt = Adam([vars]);
    expect(opt.hypers).toEqual([{ lr: 1e-3, mom: 0.9, sqrMom: 0.99, eps: 1e-5, wd: 0.01 }]);
  });

  for (const [label, wd, decouple] of [
    ["without weight decay", 0, true],
    ["with decoupled weight decay", 0.1, true],
    ["with L2 regularisation", 0.1, false],
  ] as const) {
    it(`three debiased steps ${label}`, () => {
      const [o, v] = single((vs) => Adam([vs], { lr: 0.01, wd, decoupleWd: decouple }));
      const ref = adamRef([0.9, 0.9, 0.9], wd, decouple);
      G.forEach((g, t) => {
        stepWith(o, [v], [g]);
        expectClose(values(v), ref.out[t] as number[]);
      });
      const s = stateOf(o);
      expect(s.step).toBe(3);
      expectClose(s.gradAvg as number[], ref.avg);
      expectClose(s.sqrAvg as number[], ref.sqr);
    });
  }

  it("a momentum changed between steps is used in the average and in the debias term", () => {
    const [o, v] = single((vs) => Adam([vs], { lr: 0.01, wd: 0 }));
    const moms = [0.9, 0.5, 0.95];
    const ref = adamRef(moms, 0, true);
    G.forEach((g, t) => {
      o.setHyper("mom", moms[t] as number);
      stepWith(o, [v], [g]);
      expectClose(values(v), ref.out[t] as number[]);
    });
  });
});

describe("RMSProp", () => {
  it("defaults: mom 0, sqrMom 0.99, eps 1e-8, wd 0", () => {
    vars = variables(P0);
    opt = RMSProp([vars]);
    expect(opt.hypers).toEqual([{ lr: 1e-3, mom: 0, sqrMom: 0.99, eps: 1e-8, wd: 0 }]);
  });

  for (const [label, mom, wd] of [
    ["without momentum", 0, 0],
    ["with momentum (undampened) and decoupled weight decay", 0.9, 0.1],
  ] as const) {
    it(`three steps ${label}: p -= lr*(gradAvg or grad)/(sqrt(sqrAvg)+eps)`, () => {
      const [o, v] = single((vs) => RMSProp([vs], { lr: 0.01, mom, wd }));
      let p = [...P0];
      let avg = [0, 0];
      let sqr = [0, 0];
      for (const g of G) {
        stepWith(o, [v], [g]);
        p = p.map((x) => x * (1 - 0.01 * wd));
        avg = avg.map((a, i) => mom * a + (g[i] as number));
        sqr = sqr.map((s, i) => 0.99 * s + 0.01 * (g[i] as number) ** 2);
        const d = mom === 0 ? g : avg;
        p = p.map((x, i) => x - (0.01 * (d[i] as number)) / (Math.sqrt(sqr[i] as number) + 1e-8));
        expectClose(values(v), p);
      }
      const s = stateOf(o);
      expectClose(s.sqrAvg as number[], sqr);
      expect(s.gradAvg === undefined).toBe(mom === 0);
    });
  }
});

describe("RAdam", () => {
  /** Seven steps: with sqrMom 0.9 steps 1-5 are unrectified (r <= 5) and steps 6-7 rectified. */
  const grads = Array.from({ length: 7 }, (_, t) => [0.1 * (t + 1), -0.2 + 0.05 * t]);
  const radamRef = (sqrMom: number, beta: number, wd: number) => {
    let p = [...P0];
    let avg = [0, 0];
    let sqr = [0, 0];
    const [lr, mom, eps] = [0.01, 0.9, 1e-5];
    const rs: number[] = [];
    const out = grads.map((g, t) => {
      const step = t + 1;
      p = p.map((x) => x * (1 - lr * wd));
      [avg, sqr] = moments(avg, sqr, g, mom, sqrMom);
      const d1 = 1 - mom ** step;
      const d2 = 1 - sqrMom ** step;
      const rInf = 2 / (1 - sqrMom) - 1;
      const r = rInf - (2 * step * sqrMom ** step) / (1 - sqrMom ** step);
      rs.push(r);
      if (r > 5) {
        const v = Math.sqrt(((r - 4) * (r - 2) * rInf) / ((rInf - 4) * (rInf - 2) * r));
        p = p.map((x, i) => {
          let denom = Math.sqrt((sqr[i] as number) / d2) + eps;
          if (beta !== 0) denom = beta * denom > 20 ? denom : Math.log1p(Math.exp(beta * denom)) / beta;
          return x - ((lr * v) / d1) * ((avg[i] as number) / denom);
        });
      } else {
        p = p.map((x, i) => x - (lr / d1) * (avg[i] as number));
      }
      return p;
    });
    return { out, rs };
  };

  it("defaults: mom 0.9, sqrMom 0.99, eps 1e-5, wd 0, beta 0", () => {
    vars = variables(P0);
    opt = RAdam([vars]);
    expect(opt.hypers).toEqual([{ lr: 1e-3, mom: 0.9, sqrMom: 0.99, eps: 1e-5, wd: 0, beta: 0 }]);
  });

  for (const [label, beta, wd] of [
    ["", 0, 0],
    [" with softplus (beta 2) and weight decay", 2, 0.1],
  ] as const) {
    it(`plain debiased momentum while r <= 5, then the rectified step${label}`, () => {
      const [o, v] = single((vs) => RAdam([vs], { lr: 0.01, sqrMom: 0.9, beta, wd }));
      const ref = radamRef(0.9, beta, wd);
      expect(ref.rs.map((r) => r > 5)).toEqual([false, false, false, false, false, true, true]);
      grads.forEach((g, t) => {
        stepWith(o, [v], [g]);
        expectClose(values(v), ref.out[t] as number[], 2e-6);
      });
    });
  }
});

describe("Lamb", () => {
  const lambRef = (p0: number[], wd: number) => {
    let p = [...p0];
    let avg = [0, 0];
    let sqr = [0, 0];
    const [lr, mom, sqrMom, eps] = [0.01, 0.9, 0.99, 1e-5];
    const qs: number[] = [];
    const out = G.map((g, t) => {
      const step = t + 1;
      p = p.map((x) => x * (1 - lr * wd));
      [avg, sqr] = moments(avg, sqr, g, mom, sqrMom);
      const d1 = 1 - mom ** step;
      const d2 = 1 - sqrMom ** step;
      const u = avg.map((a, i) => a / d1 / (Math.sqrt((sqr[i] as number) / d2) + eps));
      const rms = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
      const [r1, r2] = [rms(p), rms(u)];
      const q = r1 === 0 || r2 === 0 ? 1 : Math.min(r1 / r2, 10);
      qs.push(q);
      p = p.map((x, i) => x - lr * q * (u[i] as number));
      return p;
    });
    return { out, qs };
  };

  it("defaults: mom 0.9, sqrMom 0.99, eps 1e-5, wd 0", () => {
    vars = variables(P0);
    opt = Lamb([vars]);
    expect(opt.hypers).toEqual([{ lr: 1e-3, mom: 0.9, sqrMom: 0.99, eps: 1e-5, wd: 0 }]);
  });

  for (const [label, p0, wd, expectQ] of [
    ["trust ratio below the clamp, with weight decay", P0, 0.1, (q: number) => q > 1 && q < 10],
    ["trust ratio clamped at 10", [100, -100], 0, (q: number) => q === 10],
    ["trust ratio 1 when the parameter is 0", [0, 0], 0, (q: number, t: number) => t > 0 || q === 1],
  ] as const) {
    it(`three steps, ${label}`, () => {
      vars = variables([...p0]);
      const v = vars[0] as tf.Variable;
      opt = Lamb([vars], { lr: 0.01, wd });
      const ref = lambRef([...p0], wd);
      ref.qs.forEach((q, t) => {
        expect(expectQ(q, t), `q at step ${t + 1} is ${q}`).toBe(true);
      });
      G.forEach((g, t) => {
        stepWith(opt as Optimizer, [v], [g]);
        expectClose(values(v), ref.out[t] as number[]);
      });
    });
  }
});
