export {
  BACKENDS,
  BackendError,
  type BackendName,
  BackendUnavailableError,
  initBackend,
  UnknownBackendError,
} from "./backend.js";
export { type Callback, type CallbackHandler, callbackName } from "./callback.js";
export { DebiasedEma } from "./callbacks/debiased-ema.js";
export { EpochLogger, formatCell, type Logger, printRow } from "./callbacks/logger.js";
export { Progress, type ProgressOptions } from "./callbacks/progress.js";
export { formatTime, Recorder, type RecorderOptions } from "./callbacks/recorder.js";
export { SkipToEpoch } from "./callbacks/skip-to-epoch.js";
export { TrainEval } from "./callbacks/train-eval.js";
export * from "./data/index.js";
export { EVENTS, type EventName, INNER_LOOP_EVENTS } from "./events.js";
export {
  CallbackError,
  CancelBackwardException,
  CancelBatchException,
  CancelEpochException,
  type CancelException,
  CancelFitException,
  CancelStepException,
  CancelTrainException,
  CancelValidException,
  CheckpointError,
  isCancelException,
  LearnerError,
} from "./exceptions.js";
export {
  type BatchLoader,
  type FitOptions,
  Learner,
  type LearnerBus,
  type LearnerEvents,
  type LearnerOptions,
  type LoadersLike,
  type Moms,
} from "./learner.js";
export * from "./losses.js";
export * from "./metrics.js";
export {
  checkGroups,
  flatLayers,
  isLayersModel,
  layersModule,
  layerVariables,
  type ModelLike,
  type Module,
  normBiasParams,
  type Splitter,
  toModule,
  trainableParams,
} from "./module.js";
export * from "./optim/index.js";
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointManifest,
  type JsonNumber,
  type LoadOptions,
  loadCheckpoint,
  loadCheckpointSync,
  type SaveOptions,
  saveCheckpoint,
  saveCheckpointSync,
  type TensorEntry,
  type WeightEntry,
} from "./persistence.js";
export * from "./random.js";
