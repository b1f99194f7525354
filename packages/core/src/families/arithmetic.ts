/** Arithmetic on schedules: an affine rescale and an elementwise product (PyTorch's ChainedScheduler). */
import { plain } from "../annealers.js";
import { hyper } from "../check.js";
import { fail, ScheduleError } from "../errors.js";
import { groupCount, pick } from "../groups.js";
import { groupsOfValue, type Kernel, kernelOf, makeSchedule, scheduleArg, specOf } from "../schedule.js";
import type { Broadcast3, Hyper, Joined, Schedule, ValueOf } from "../types.js";

/** `factor·sched(pos) + offset`, elementwise: e.g. a 0..1 shape times per-group base learning rates. */
export function scaleSched<T extends Hyper, F extends Hyper, O extends Hyper = number>(
  sched: Schedule<T>,
  factor: F,
  offset?: O,
): Schedule<Broadcast3<T, F, O>> {
  const where = "scaleSched";
  const s = scheduleArg(where, "sched", sched);
  const f = hyper(where, "factor", factor);
  const o = hyper(where, "offset", offset ?? 0);
  const sg = groupsOfValue(where, "sched", s(0));
  const n = groupCount(where, [
    ["sched", sg === 0 ? 0 : new Array<number>(sg).fill(0)],
    ["factor", f],
    ["offset", o],
  ]);
  const k = kernelOf(s);
  let kernel: Kernel<Hyper>;
  if (n === 0) {
    const fs = f as number;
    const os = o as number;
    const ks = k as Kernel<number>;
    kernel = (p) => fs * ks(p) + os;
  } else {
    kernel = (p) => {
      const v = k(p);
      const out = new Array<number>(n);
      for (let g = 0; g < n; g++) out[g] = pick(f, g) * pick(v, g) + pick(o, g);
      return out;
    };
  }
  return makeSchedule(where, kernel as Kernel<Broadcast3<T, F, O>>, () => ({
    type: where,
    sched: specOf(where, "sched", s),
    factor: plain(f),
    offset: plain(o),
  }));
}

/** The elementwise product of schedules (scalars broadcast over per-group arrays). */
export function mulScheds<S extends readonly Schedule[]>(scheds: S): Schedule<Joined<ValueOf<S[number]>>> {
  const where = "mulScheds";
  if (!Array.isArray(scheds) || scheds.length === 0)
    fail(where, "scheds", scheds, "a non-empty array of schedules");
  const list = scheds.map((s, i) => scheduleArg(where, `scheds[${i}]`, s));
  const groups = list.map((s, i) => groupsOfValue(where, `scheds[${i}]`, s(0)));
  const firstArray = groups.findIndex((g) => g > 0);
  const n = firstArray < 0 ? 0 : (groups[firstArray] as number);
  groups.forEach((g, i) => {
    if (g !== 0 && g !== n) {
      throw new ScheduleError(
        `${where}: scheds[${i}] gives ${g} values (one per parameter group) but scheds[${firstArray}] gives ${n}`,
        { argument: `scheds[${i}]` },
      );
    }
  });
  const ks = list.map(kernelOf);
  const m = ks.length;
  let kernel: Kernel<Hyper>;
  if (n === 0) {
    const kk = ks as Kernel<number>[];
    kernel = (p) => {
      let v = 1;
      for (let i = 0; i < m; i++) v *= (kk[i] as Kernel<number>)(p);
      return v;
    };
  } else {
    kernel = (p) => {
      const out = new Array<number>(n).fill(1);
      for (let i = 0; i < m; i++) {
        const v = (ks[i] as Kernel)(p);
        for (let g = 0; g < n; g++) out[g] = (out[g] as number) * pick(v, g);
      }
      return out;
    };
  }
  return makeSchedule(where, kernel as Kernel<Joined<ValueOf<S[number]>>>, () => ({
    type: where,
    scheds: list.map((s, i) => specOf(where, `scheds[${i}]`, s)),
  }));
}
