/**
 * cnnLearner (fastai's `vision_learner`): a ResNet body cut before its pooling, fastai's head, the
 * resnet parameter split into three groups, cross-entropy by default, and (when pretrained weights
 * are loaded) the body frozen.
 */
import {
  crossEntropyLoss,
  deriveSeed,
  Learner,
  type LearnerOptions,
  type LoadersLike,
  randomSeed,
} from "@sched/learner";
import { CnnModel, cnnSplitter } from "../models/cnn-model.js";
import type { HeadOptions } from "../models/head.js";
import type { ResNetArch } from "../models/resnet.js";
import { type LoadWeightsOptions, loadWeights } from "../models/weights.js";

/** Options of {@link cnnLearner}: the Learner's, plus the model's. */
export interface CnnLearnerOptions extends LearnerOptions<CnnModel>, HeadOptions {
  /**
   * Start from pretrained weights and freeze the body. Default true, as fastai; there is no weight
   * hub, so without `weights` this warns once and trains from scratch, unfrozen.
   */
  pretrained?: boolean;
  /** Pretrained weights for the body: a manifest path, `file:` or http(s) URL (see `loadWeights`). */
  weights?: string | URL;
  /** Options of the weights download (timeout, abort signal). */
  weightsOptions?: LoadWeightsOptions;
  /** Classes to predict. Default `dls.c`. */
  nOut?: number;
  /** Seed of the initial weights (body and head); random if omitted. */
  seed?: number;
  /** Where the from-scratch notice goes. Default `console.warn`. */
  warn?: (message: string) => void;
}

/** Loaders cnnLearner can use: any with a class count (`c`), optionally a dataset `path`. */
export type CnnLoaders = LoadersLike & { readonly c?: number; readonly path?: string };

/** Bad options of cnnLearner (the message names the option and its value). */
export class CnnLearnerError extends Error {
  override name = "CnnLearnerError";
}

let scratchNoticeShown = false;

/** Lets the once-per-process from-scratch notice show again (tests). */
export function resetScratchNotice(): void {
  scratchNoticeShown = false;
}

function scratchNotice(arch: string, warn: (message: string) => void): void {
  if (scratchNoticeShown) return;
  scratchNoticeShown = true;
  warn(
    `cnnLearner: no pretrained ${arch} weights (none given, and there is no weight hub offline): training from scratch, body not frozen. Pass { weights: "<path or URL>" } to fine-tune, or { pretrained: false } to silence this.`,
  );
}

/**
 * A Learner for image classification: `arch`'s body (cut before pooling) plus fastai's head, three
 * parameter groups ([stem + layer1 + layer2, layer3 + layer4, head]), cross-entropy loss and
 * `nOut = dls.c` by default. With `weights` the body is loaded and frozen (`learn.freeze()`; batch
 * norm keeps training, as `trainBn`).
 */
export async function cnnLearner<D extends CnnLoaders>(
  dls: D,
  arch: ResNetArch,
  opts: CnnLearnerOptions = {},
): Promise<Learner<CnnModel, D>> {
  const {
    pretrained,
    weights,
    weightsOptions,
    nOut: nOutOpt,
    seed: seedOpt,
    warn,
    ps,
    concatPool,
    firstBn,
    linFtrs,
    ...learnerOpts
  } = opts;
  if (typeof arch !== "function" || typeof arch.archName !== "string") {
    throw new CnnLearnerError(
      `arch must be an architecture such as resnet18 or resnet34, got ${String(arch)}`,
    );
  }
  if (pretrained === false && weights !== undefined) {
    throw new CnnLearnerError(
      `pretrained: false and weights (${String(weights)}) contradict each other: pass one`,
    );
  }
  const nOut = nOutOpt ?? dls.c;
  if (nOut === undefined || !Number.isInteger(nOut) || nOut < 1) {
    throw new CnnLearnerError(`nOut must be a positive integer (or dls.c must be set), got ${String(nOut)}`);
  }
  const seed = seedOpt ?? randomSeed();
  const head: HeadOptions = {
    ...(ps !== undefined ? { ps } : {}),
    ...(concatPool !== undefined ? { concatPool } : {}),
    ...(firstBn !== undefined ? { firstBn } : {}),
    ...(linFtrs !== undefined ? { linFtrs } : {}),
  };
  const body = arch({ includeTop: false, seed: deriveSeed(seed, "body") });
  let model: CnnModel;
  try {
    model = new CnnModel(body, nOut, { ...head, seed: deriveSeed(seed, "head") });
  } catch (error) {
    body.dispose();
    throw error;
  }
  try {
    if (weights !== undefined) await loadWeights(body, weights, weightsOptions);
    else if (pretrained !== false) scratchNotice(arch.archName, warn ?? console.warn);
    const learn = new Learner<CnnModel, D>(dls, model, {
      ...learnerOpts,
      lossFunc: learnerOpts.lossFunc ?? dls.lossFunc ?? crossEntropyLoss,
      splitter: learnerOpts.splitter ?? cnnSplitter,
      ...((learnerOpts.path ?? dls.path) ? { path: (learnerOpts.path ?? dls.path) as string } : {}),
    });
    if (weights !== undefined) learn.freeze();
    return learn;
  } catch (error) {
    model.dispose();
    throw error;
  }
}
