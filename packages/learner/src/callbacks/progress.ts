import cliProgress from "cli-progress";
import type { Callback } from "../callback.js";
import type { Learner } from "../learner.js";

/** Where and when the bar shows. */
export interface ProgressOptions {
  /** Default `process.stderr`. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Show even when the stream is not a TTY or `CI` is set (never inside `noLogging`). */
  force?: boolean;
}

/**
 * A progress bar per training and validation phase (order 140), with cli-progress. It shows only on
 * a TTY outside CI (`CI` unset) and never inside `learn.noLogging()`. Per batch it only bumps a
 * counter (drawing is throttled by cli-progress), and it never reads the loss from the device.
 */
export class Progress implements Callback {
  readonly name = "Progress";
  readonly order = 140;
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #force: boolean;
  #bar: cliProgress.SingleBar | undefined;
  #active = false;

  constructor(opts: ProgressOptions = {}) {
    this.#stream = opts.stream ?? process.stderr;
    this.#force = opts.force ?? false;
  }

  /** Whether a bar would show for `learn` now. */
  enabled(learn: Learner): boolean {
    if (learn.silent) return false;
    return this.#force || (this.#stream.isTTY === true && !process.env.CI);
  }

  before_train(learn: Learner): void {
    this.#start(learn, `epoch ${learn.epoch + 1}/${learn.nEpoch} train`);
  }

  before_validate(learn: Learner): void {
    this.#start(learn, "valid");
  }

  after_batch(): void {
    if (this.#active) this.#bar?.increment();
  }

  after_train(): void {
    this.#stop();
  }

  after_validate(): void {
    this.#stop();
  }

  cleanup(): void {
    this.#stop();
  }

  #start(learn: Learner, label: string): void {
    this.#stop();
    if (!this.enabled(learn)) return;
    this.#bar ??= new cliProgress.SingleBar(
      {
        stream: this.#stream,
        format: "{label} |{bar}| {value}/{total} batches, eta {eta_formatted}",
        clearOnComplete: true,
        noTTYOutput: this.#force,
        notTTYSchedule: 1000,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(learn.nIter, 0, { label });
    this.#active = true;
  }

  #stop(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#bar?.stop();
  }
}
