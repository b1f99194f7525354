/** One value, or one value per parameter group. */
export type Hyper = number | readonly number[];

/** Plain data that `scheduleFromJSON` turns back into the schedule it came from. */
export interface ScheduleSpec {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** A schedule: a pure function of training progress `pos` in [0, 1]. */
export interface Schedule<T extends Hyper = Hyper> {
  (pos: number): T;
  toJSON(): ScheduleSpec;
}
