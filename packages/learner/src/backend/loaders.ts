import * as tf from "@tensorflow/tfjs";
import { completeWithCpuKernels } from "./cpu-fallback.js";

/** The backends `initBackend` knows, fastest first: the order auto mode tries them in. */
export const BACKENDS = ["tensorflow", "wasm", "cpu"] as const;

/** A backend `initBackend` can select. */
export type BackendName = (typeof BACKENDS)[number];

/** Whether a string names one of `BACKENDS`. */
export function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

// A variable, so neither tsc nor Vite tries to resolve the optional native package statically.
const TFJS_NODE = "@tensorflow/tfjs-node";

// libtensorflow reads these once, when it is loaded. TF_CPP_MIN_LOG_LEVEL=2 hides its info and
// warning lines. Its oneDNN notice is printed through absl before that level applies; turning oneDNN
// off would silence it but makes convolution gradients 2-30x slower (a ResNet-18 step measured
// 1182 ms instead of 535 ms here), so speed wins: users who want a silent start, or bit-stable
// numerics across machines, set TF_ENABLE_ONEDNN_OPTS=0 themselves.
function quietNativeLogs(): void {
  process.env.TF_CPP_MIN_LOG_LEVEL ??= "2";
}

const importers: Record<BackendName, () => Promise<unknown>> = {
  tensorflow: () => {
    quietNativeLogs();
    return import(/* @vite-ignore */ TFJS_NODE);
  },
  wasm: () => import("@tensorflow/tfjs-backend-wasm"),
  cpu: async () => undefined,
};

/**
 * Runs `fn` with console.warn captured instead of printed: tfjs reports a failed backend
 * initialisation only as warnings (setBackend itself just returns false), and prints its
 * "platform already set" and "install the node backend" notices the same way.
 */
async function capturingWarnings<T>(fn: (warnings: string[]) => Promise<T>): Promise<T> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(" "));
  };
  try {
    return await fn(warnings);
  } finally {
    console.warn = original;
  }
}

async function load(name: BackendName): Promise<void> {
  await capturingWarnings(async (warnings) => {
    await importers[name]();
    if (!(await tf.setBackend(name))) {
      // tfjs warns "Initialization of backend X failed", then the cause: keep the cause.
      const cause = warnings.find((w) => !/^Initialization of backend/.test(w.trim()));
      throw new Error(cause?.trim() || `tf.setBackend("${name}") returned false`);
    }
    await tf.ready();
    // The cpu backend prints its "install the node backend" banner on its first write: do it here.
    if (name === "cpu") tf.scalar(0).dispose();
    else completeWithCpuKernels(name);
  });
}

// One load per backend per process: a backend that failed once is not retried, which keeps
// repeated initBackend() calls cheap and their answer stable.
const loads = new Map<BackendName, Promise<void>>();

/** Loads `name` once per process and makes it the active tfjs backend; rejects with the cause. */
export async function activate(name: BackendName): Promise<void> {
  const previous = tf.getBackend() as string | null | undefined;
  try {
    let loading = loads.get(name);
    if (!loading) {
      loading = load(name);
      loads.set(name, loading);
    }
    await loading;
    if (tf.getBackend() !== name && !(await tf.setBackend(name))) {
      throw new Error(`tf.setBackend("${name}") returned false after a successful load`);
    }
  } catch (err) {
    // A failed tf.setBackend leaves the engine pointing at the failed backend with no instance;
    // put the one that was active back, so a failure changes nothing.
    if (previous && previous !== name && tf.getBackend() !== previous) await tf.setBackend(previous);
    throw err;
  }
}
