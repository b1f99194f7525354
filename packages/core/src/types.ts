/** One value, or one value per parameter group. */
export type Hyper = number | readonly number[];

/**
 * Plain data that `scheduleFromJSON` turns back into the schedule it came from: `type` is the name of
 * the factory that rebuilds it, the other fields are that factory's arguments.
 */
export interface ScheduleSpec {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** A schedule: a pure function of training progress `pos` in [0, 1]. */
export interface Schedule<T extends Hyper = Hyper> {
  (pos: number): T;
  toJSON(): ScheduleSpec;
}

/** The value shape a schedule built from hypers `A` and `B` returns: an array as soon as one is an array. */
export type Broadcast<A extends Hyper, B extends Hyper> = A extends number
  ? B extends number
    ? number
    : readonly number[]
  : readonly number[];

/** `Broadcast` over three hypers. */
export type Broadcast3<A extends Hyper, B extends Hyper, C extends Hyper> = Broadcast<Broadcast<A, B>, C>;

/** Which value holds exactly at a boundary: the new one (optax, PyTorch) or the old one (Keras). */
export type AtBoundary = "new" | "old";

/** The value type of a schedule type. */
export type ValueOf<S> = S extends Schedule<infer T> ? T : never;

/**
 * What joining pieces with values `T` gives: numbers when every piece gives numbers, arrays when every
 * piece gives arrays, else either (scalar pieces are broadcast as soon as one piece is per group).
 */
export type Joined<T extends Hyper> = [T] extends [number]
  ? number
  : [Extract<T, number>] extends [never]
    ? readonly number[]
    : Hyper;
