import * as tf from "@tensorflow/tfjs";

// A variable, so neither tsc nor Vite tries to resolve the optional native package statically.
const TFJS_NODE = "@tensorflow/tfjs-node";

/** Picks the fastest working TensorFlow.js backend (tensorflow, then wasm, then cpu) and returns its name. */
export async function initBackend(prefer = process.env.SCHED_TF_BACKEND): Promise<string> {
  for (const name of prefer ? [prefer] : ["tensorflow", "wasm", "cpu"]) {
    try {
      if (name === "tensorflow") await import(/* @vite-ignore */ TFJS_NODE);
      else if (name === "wasm") await import("@tensorflow/tfjs-backend-wasm");
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      /* next */
    }
  }
  throw new Error("no TensorFlow.js backend could be initialised");
}
