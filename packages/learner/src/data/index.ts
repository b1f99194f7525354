export { DataLoader, type DataLoaderOptions, type ItemLoaderOptions } from "./dataloader.js";
export {
  DataLoaders,
  type ItemLoadersOptions,
  type LoadersOptions,
  type SplitOptions,
  type TensorPair,
} from "./dataloaders.js";
export { DataError, describeItem, ItemTransformError } from "./errors.js";
export {
  type ItemContext,
  type ItemSample,
  ItemSource,
  type ItemSourceOptions,
  type ItemTransform,
} from "./item-source.js";
export type { Batch, BatchSource, LoadContext } from "./source.js";
export { randomSplit, type Split } from "./split.js";
export { TensorSource } from "./tensor-source.js";
