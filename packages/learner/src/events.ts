/**
 * The names of the learner's events, in firing order. They are the mitt bus's event names and the
 * handler names of a `Callback` (snake_case, as in the reference, so recipes translate one to one).
 */

/** Every event `Learner.fit` fires, in firing order (cancel events sit where they would fire). */
export const EVENTS = [
  "after_create",
  "before_fit",
  "before_epoch",
  "before_train",
  "before_batch",
  "after_pred",
  "after_loss",
  "before_backward",
  "after_cancel_backward",
  "after_backward",
  "before_step",
  "after_cancel_step",
  "after_step",
  "after_cancel_batch",
  "after_batch",
  "after_cancel_train",
  "after_train",
  "before_validate",
  "after_cancel_validate",
  "after_validate",
  "after_cancel_epoch",
  "after_epoch",
  "after_cancel_fit",
  "after_fit",
] as const;

/** One event name. */
export type EventName = (typeof EVENTS)[number];

/**
 * Events of one batch: a callback sees them only when it runs in the current phase
 * (`runTrain` while training, `runValid` while validating).
 */
export const INNER_LOOP_EVENTS: ReadonlySet<EventName> = new Set<EventName>([
  "before_batch",
  "after_pred",
  "after_loss",
  "before_backward",
  "after_cancel_backward",
  "after_backward",
  "before_step",
  "after_cancel_step",
  "after_step",
  "after_cancel_batch",
  "after_batch",
]);
