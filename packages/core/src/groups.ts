/**
 * Per-parameter-group broadcasting. A family is written once for scalars; when any of its hyper
 * arguments is an array, one scalar kernel is built per group and the results are gathered into a
 * fresh array per call. Scalar schedules never allocate.
 */
import { ScheduleError } from "./errors.js";
import type { Kernel } from "./schedule.js";
import type { Hyper } from "./types.js";

/** The shared number of groups of some named hypers (0 when all are scalars); lengths must agree. */
export function groupCount(where: string, args: ReadonlyArray<readonly [string, Hyper]>): number {
  let n = 0;
  let first = "";
  for (const [name, h] of args) {
    if (typeof h === "number") continue;
    if (n === 0) {
      n = h.length;
      first = name;
    } else if (h.length !== n) {
      throw new ScheduleError(
        `${where}: ${name} has ${h.length} values (one per parameter group) but ${first} has ${n}`,
        { argument: name, value: h },
      );
    }
  }
  return n;
}

/** Group `g` of a hyper (scalars broadcast). */
export function pick(h: Hyper, g: number): number {
  return typeof h === "number" ? h : (h[g] as number);
}

/** Elementwise map of a hyper, keeping its shape. */
export function mapHyper(h: Hyper, f: (x: number) => number): Hyper {
  return typeof h === "number" ? f(h) : Object.freeze(h.map(f));
}

/** Runs one scalar kernel per group: `build(g)` gets the group index (-1 when there are no groups). */
export function perGroup(n: number, build: (g: number) => Kernel<number>): Kernel<Hyper> {
  if (n === 0) return build(-1);
  const kernels = Array.from({ length: n }, (_, g) => build(g));
  return (pos) => {
    const out = new Array<number>(n);
    for (let g = 0; g < n; g++) out[g] = (kernels[g] as Kernel<number>)(pos);
    return out;
  };
}

/** Repeats a scalar kernel's value `n` times, so it can stand beside per-group pieces. */
export function broadcastKernel(k: Kernel, n: number): Kernel<Hyper> {
  return (pos) => {
    const v = k(pos);
    if (typeof v !== "number") return v;
    return new Array<number>(n).fill(v);
  };
}
