/**
 * Callbacks: plugins made of event handlers. The learner keeps them in insertion order and runs each
 * event's handlers sorted by `order` (a stable sort, so ties keep insertion order).
 */

import { type EventName, INNER_LOOP_EVENTS } from "./events.js";
import { CallbackError, isCancelException, LearnerError } from "./exceptions.js";
import type { Learner } from "./learner.js";

/** An event handler: synchronous; throw a `Cancel*Exception` to cancel part of the loop. */
export type CallbackHandler = (learn: Learner) => void;

/** A plugin: any subset of event handlers plus how and when they run. */
export interface Callback extends Partial<Record<EventName, CallbackHandler>> {
  /** Shown in error messages; defaults to the class name. */
  name?: string;
  /** Handlers run in ascending order (default 0); ties keep insertion order. */
  order?: number;
  /** Whether the batch events (before_batch … after_batch) reach it while training (default true). */
  runTrain?: boolean;
  /** Whether the batch events reach it while validating (default true). */
  runValid?: boolean;
  /** `false` silences every handler until the fit ends (the learner sets it back to true after `after_fit`). */
  run?: boolean;
  /**
   * Not an event: runs when a fit ends however it ends (done, cancelled or thrown), after `after_fit`
   * if that fired. Release tensors and restore state here; it must not throw.
   */
  cleanup?: CallbackHandler;
}

/** The name used for `cb` in messages: `cb.name`, else its class name. */
export function callbackName(cb: Callback): string {
  if (typeof cb.name === "string" && cb.name) return cb.name;
  const ctor = (cb as object).constructor;
  return ctor && ctor !== Object && ctor.name ? ctor.name : "anonymous callback";
}

interface Entry {
  cb: Callback;
  fn: CallbackHandler;
  inner: boolean;
}

/** The learner's callbacks, with per-event handler lists cached until the list changes. */
export class CallbackList {
  #items: Callback[] = [];
  #byEvent = new Map<EventName, Entry[]>();

  /** Callbacks in insertion order. */
  get items(): readonly Callback[] {
    return this.#items;
  }

  /** Callbacks sorted by `order` (stable). */
  sorted(): Callback[] {
    return this.#items
      .map((cb, i) => ({ cb, i }))
      .sort((x, y) => (x.cb.order ?? 0) - (y.cb.order ?? 0) || x.i - y.i)
      .map((x) => x.cb);
  }

  add(cbs: readonly Callback[]): void {
    for (const cb of cbs) {
      if (cb === null || typeof cb !== "object") {
        throw new LearnerError(`addCbs: a callback must be an object, got ${String(cb)}`);
      }
      if (this.#items.includes(cb)) {
        throw new LearnerError(`addCbs: callback \`${callbackName(cb)}\` is already added`);
      }
    }
    this.#items.push(...cbs);
    this.#byEvent.clear();
  }

  remove(cbs: readonly Callback[]): void {
    const drop = new Set(cbs);
    this.#items = this.#items.filter((cb) => !drop.has(cb));
    this.#byEvent.clear();
  }

  #entries(event: EventName): Entry[] {
    let list = this.#byEvent.get(event);
    if (!list) {
      const inner = INNER_LOOP_EVENTS.has(event);
      list = [];
      for (const cb of this.sorted()) {
        const fn = cb[event];
        if (typeof fn === "function") list.push({ cb, fn, inner });
      }
      this.#byEvent.set(event, list);
    }
    return list;
  }

  /**
   * Runs `event`'s handlers. Cancel exceptions pass through; any other error is wrapped in a
   * `CallbackError` naming the callback and the event.
   */
  run(event: EventName, learn: Learner): void {
    const list = this.#entries(event);
    for (let i = 0; i < list.length; i++) {
      const { cb, fn, inner } = list[i] as Entry;
      if (cb.run === false) continue;
      if (inner && !(learn.training ? cb.runTrain !== false : cb.runValid !== false)) continue;
      try {
        fn.call(cb, learn);
      } catch (e) {
        if (isCancelException(e) || e instanceof CallbackError) throw e;
        throw new CallbackError(callbackName(cb), event, e);
      }
    }
  }
}
