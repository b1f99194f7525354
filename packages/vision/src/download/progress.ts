/**
 * The download progress bar: cli-progress on an interactive stderr, nothing otherwise, so CI logs
 * and piped output stay clean.
 */
import cliProgress from "cli-progress";

/** Receives byte counts as a download advances. */
export interface ProgressSink {
  start(total: number | undefined): void;
  update(bytes: number): void;
  stop(): void;
}

const silent: ProgressSink = { start() {}, update() {}, stop() {} };

/** True when a bar would be seen: stderr is a terminal and the CI variable is unset. */
export function progressByDefault(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.CI;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/** A bar labelled `label`, or a no-op sink when `enabled` is false or the total is unknown. */
export function progressBar(label: string, enabled: boolean): ProgressSink {
  if (!enabled) return silent;
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(total) {
      if (total === undefined || total <= 0) return;
      bar = new cliProgress.SingleBar({
        stream: process.stderr,
        format: `${label} |{bar}| {percentage}% {done}/{all} MB eta {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
      });
      bar.start(total, 0, { done: mb(0), all: mb(total) });
    },
    update(bytes) {
      bar?.update(bytes, { done: mb(bytes) });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
