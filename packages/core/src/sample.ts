/** Evenly spaced samples of a schedule, both ends included: what a preview or a plot needs. */
import { count } from "./check.js";
import { scheduleArg } from "./schedule.js";
import type { Hyper, Schedule } from "./types.js";

/** `n` positions `i/(n − 1)` (just `[0]` when n = 1) and the schedule's values there. */
export interface Samples<T extends Hyper = Hyper> {
  pos: number[];
  values: T[];
}

/** Samples `schedule` at `n` evenly spaced positions from 0 to 1 inclusive. */
export function sample<T extends Hyper>(schedule: Schedule<T>, n: number): Samples<T> {
  const s = scheduleArg("sample", "schedule", schedule) as Schedule<T>;
  const m = count("sample", "n", n);
  const pos = Array.from({ length: m }, (_, i) => (m === 1 ? 0 : i / (m - 1)));
  return { pos, values: pos.map((p) => s(p)) };
}
