/** Metrics re-exported from @sched/learner under the contract's names. */
export { accuracy, errorRate } from "@sched/learner";
export { ArchiveError, type ArchiveErrorReason } from "./archive/errors.js";
export { type ExtractArchiveOptions, extractArchive } from "./archive/extract-archive.js";
export type { SkippedImage } from "./data/check-images.js";
export {
  ImageDataLoaders,
  type ImageDataLoadersOptions,
  type ImageItemTransform,
  type LabelFunc,
  type OnBadImage,
} from "./data/image-data-loaders.js";
export type { Label } from "./data/labels.js";
export { type DownloadOptions, type DownloadResult, downloadFile } from "./download/download.js";
export { DownloadError, type DownloadErrorReason } from "./download/errors.js";
export { type GetImageFilesOptions, getImageFiles, IMAGE_EXTENSIONS, ImageFilesError } from "./files.js";
export {
  CnnLearnerError,
  type CnnLearnerOptions,
  type CnnLoaders,
  cnnLearner,
} from "./learner/cnn-learner.js";
export { CnnModel, cnnSplitter } from "./models/cnn-model.js";
export { Head, type HeadOptions } from "./models/head.js";
export { ResNet, type ResNetArch, type ResNetOptions, resnet18, resnet34 } from "./models/resnet.js";
export {
  type HasWeights,
  type LoadWeightsOptions,
  type LoadWeightsResult,
  loadWeights,
  saveWeights,
  WEIGHTS_FORMAT,
  WEIGHTS_VERSION,
  type WeightSpec,
  WeightsError,
  type WeightsManifest,
} from "./models/weights.js";
export {
  type DecodeResize,
  decodeImage,
  type ImageInput,
  imageSize,
  type RawImage,
} from "./transforms/decode.js";
export { ImageDecodeError, TransformArgumentError } from "./transforms/errors.js";
export { type ChannelStats, IMAGENET_STATS, normalizeImage } from "./transforms/normalize.js";
export { Resize, type ResizeOptions, type ResizeTransform } from "./transforms/resize.js";
export {
  type ItemContext,
  type PadMode,
  planResize,
  type ResizeMethod,
  type ResizePlan,
} from "./transforms/resize-plan.js";
export { configureSharp, type SharpSettings } from "./transforms/sharp-config.js";
export { DATA_HOME_ENV, dataHome } from "./untar/cache.js";
export { type UntarDataOptions, untarData } from "./untar/untar-data.js";
export { type DatasetName, URLs } from "./urls.js";
