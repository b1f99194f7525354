import { BackendUnavailableError, firstLine, UnknownBackendError } from "./backend/errors.js";
import { activate, BACKENDS, type BackendName, isBackendName } from "./backend/loaders.js";

export { BackendError, BackendUnavailableError, UnknownBackendError } from "./backend/errors.js";
export { BACKENDS, type BackendName } from "./backend/loaders.js";

/**
 * Makes the fastest working TensorFlow.js backend active and returns its name: `tensorflow`
 * (tfjs-node), then `wasm`, then `cpu`. `prefer` (or, when it is not given, the SCHED_TF_BACKEND
 * environment variable) forces one; `auto` or empty means the order above. A forced backend that
 * cannot load throws BackendUnavailableError naming it and the cause; it never falls back silently.
 */
export async function initBackend(prefer?: string): Promise<BackendName> {
  const source = prefer !== undefined ? "prefer" : "SCHED_TF_BACKEND";
  const raw = (prefer ?? process.env.SCHED_TF_BACKEND ?? "").trim();
  const wanted = raw.toLowerCase();
  if (wanted === "" || wanted === "auto") return initFirstWorking();
  if (!isBackendName(wanted)) throw new UnknownBackendError(source, raw, BACKENDS);
  try {
    await activate(wanted);
  } catch (err) {
    throw new BackendUnavailableError(wanted, source, firstLine(err), { cause: err });
  }
  return wanted;
}

async function initFirstWorking(): Promise<BackendName> {
  const failures: string[] = [];
  for (const name of BACKENDS) {
    try {
      await activate(name);
      return name;
    } catch (err) {
      failures.push(`${name}: ${firstLine(err)}`);
    }
  }
  throw new BackendUnavailableError("cpu", "auto", failures.join("; "));
}
