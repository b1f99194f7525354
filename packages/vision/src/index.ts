export { ArchiveError, type ArchiveErrorReason } from "./archive/errors.js";
export { type ExtractArchiveOptions, extractArchive } from "./archive/extract-archive.js";
export { type DownloadOptions, type DownloadResult, downloadFile } from "./download/download.js";
export { DownloadError, type DownloadErrorReason } from "./download/errors.js";
export { type GetImageFilesOptions, getImageFiles, IMAGE_EXTENSIONS, ImageFilesError } from "./files.js";
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
