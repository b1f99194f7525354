// Child processes and the one kind of error the setup reports.
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** A setup step that failed: `what` failed, because of `cause`; `advice` says what the user can do. */
export class SetupError extends Error {
  constructor(what, cause, advice) {
    super(`${what}: ${cause}`);
    this.name = "SetupError";
    this.what = what;
    this.cause = cause;
    this.advice = advice;
  }
}

/** Where full command output goes, so that a failure can be reported in one line. */
export const logFile = { path: "" };

/** Appends to the log file, never failing the setup because of it. */
export function log(text) {
  if (!logFile.path) return;
  try {
    mkdirSync(dirname(logFile.path), { recursive: true });
    appendFileSync(logFile.path, text.endsWith("\n") ? text : `${text}\n`);
  } catch {
    // The log is a convenience; the one-line report still says what failed.
  }
}

/** Progress lines, only with SCHED_NATIVE_VERBOSE=1 (success is otherwise silent). */
export function say(text) {
  if (process.env.SCHED_NATIVE_VERBOSE === "1") process.stderr.write(`tfjs-native: ${text}\n`);
  log(`# ${text}`);
}

/**
 * Runs a command to completion, capturing its output into the log. Returns { ok, stdout, stderr,
 * detail } where `detail` is the most telling line of a failure (an ERROR line, else the last one).
 */
export function run(cmd, args, opts = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 2 ** 20,
    ...opts,
  });
  const stdout = r.stdout ?? "";
  const stderr = r.stderr ?? "";
  log(
    `$ ${[cmd, ...args].join(" ")}  (${((Date.now() - started) / 1000).toFixed(1)} s, exit ${r.status ?? r.signal})`,
  );
  log(stdout + stderr);
  const ok = !r.error && r.status === 0;
  let detail = "";
  if (r.error) detail = r.error.code === "ENOENT" ? `${cmd} not found` : r.error.message;
  else if (!ok) detail = tellingLine(`${stdout}\n${stderr}`) || `exit ${r.status ?? r.signal}`;
  return { ok, stdout, stderr, detail };
}

function tellingLine(text) {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.find((l) => /^(ERROR|error|fatal error|Error)\b|: (fatal )?error:/.test(l));
  return (error ?? lines.at(-1) ?? "").replace(/^ERROR: /, "").slice(0, 300);
}
