/** Bad input to @sched/layers: the message names the argument and the value. */
export class LayersError extends Error {
  override readonly name: string = "LayersError";
}

/** The compiled optimizer is not one whose hyper-parameters @sched/layers knows how to set. */
export class UnsupportedOptimizerError extends LayersError {
  override readonly name: string = "UnsupportedOptimizerError";
  /** The optimizer's class name (e.g. "MyOptimizer"), or "none" when the model is not compiled. */
  readonly optimizer: string;

  constructor(message: string, optimizer: string) {
    super(message);
    this.optimizer = optimizer;
  }
}

/** A schedule names a hyper-parameter the compiled optimizer does not have. */
export class UnsupportedHyperError extends LayersError {
  override readonly name: string = "UnsupportedHyperError";
  /** The hyper-parameter name as given (e.g. "beta1"). */
  readonly hyper: string;
  /** The optimizer's class name (e.g. "SGD"). */
  readonly optimizer: string;

  constructor(message: string, hyper: string, optimizer: string) {
    super(message);
    this.hyper = hyper;
    this.optimizer = optimizer;
  }
}
