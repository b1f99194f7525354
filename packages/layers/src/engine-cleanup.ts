/**
 * tfjs 4.22 leaks on one error path: when the forward pass of a gradient computation throws,
 * `engine.gradients` leaves the tape behind, with the tensors each op saved for its backward pass
 * (kept clones), and the next gradient computation replaces the tape without freeing them.
 */
import * as tf from "@tensorflow/tfjs";

interface EngineState {
  gradientDepth: number;
  activeTape: Array<{ saved?: tf.Tensor[] }> | null;
}

/** Frees what an aborted gradient computation left on the tape; a no-op when nothing is pending. */
export function releaseAbandonedTape(): void {
  const state = (tf.engine() as unknown as { state?: EngineState }).state;
  if (state?.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}
