/**
 * The dataset URLs the reference (fastai's `URLs`) offers for image classification, same names and
 * addresses. All are gzipped tar archives that `untarData` can fetch.
 */

const S3 = "https://s3.amazonaws.com/fast-ai-";
const SAMPLE = `${S3}sample/`;
const IMAGE = `${S3}imageclas/`;

/** Image-classification dataset URLs, named as in fastai. */
export const URLs = Object.freeze({
  /** Bucket prefix of fastai's small sample datasets. */
  S3_SAMPLE: SAMPLE,
  /** Bucket prefix of fastai's image-classification datasets. */
  S3_IMAGE: IMAGE,

  /** Oxford-IIIT Pet: 37 breeds, ~7.4k photos; extracts to oxford-iiit-pet/{images,annotations}. */
  PETS: `${IMAGE}oxford-iiit-pet.tgz`,
  /** MNIST 3s and 7s only, in train/valid folders. */
  MNIST_SAMPLE: `${SAMPLE}mnist_sample.tgz`,
  /** A tiny MNIST sample of 3s and 7s, for quick tests. */
  MNIST_TINY: `${SAMPLE}mnist_tiny.tgz`,
  /** MNIST_TINY with images of varying sizes. */
  MNIST_VAR_SIZE_TINY: `${IMAGE}mnist_var_size_tiny.tgz`,
  /** Full MNIST as PNG files in training/testing folders. */
  MNIST: `${IMAGE}mnist_png.tgz`,
  /** CIFAR-10 as PNG files. */
  CIFAR: `${SAMPLE}cifar10.tgz`,
  /** CIFAR-100 as PNG files. */
  CIFAR_100: `${IMAGE}cifar100.tgz`,
  /** Dogs vs cats (Kaggle competition data). */
  DOGS: `${SAMPLE}dogscats.tgz`,
  /** Imagenette v2: 10 easy ImageNet classes, full size. */
  IMAGENETTE: `${IMAGE}imagenette2.tgz`,
  /** Imagenette v2, shortest side 160 px. */
  IMAGENETTE_160: `${IMAGE}imagenette2-160.tgz`,
  /** Imagenette v2, shortest side 320 px. */
  IMAGENETTE_320: `${IMAGE}imagenette2-320.tgz`,
  /** Imagewoof v2: 10 dog breeds from ImageNet, full size. */
  IMAGEWOOF: `${IMAGE}imagewoof2.tgz`,
  /** Imagewoof v2, shortest side 160 px. */
  IMAGEWOOF_160: `${IMAGE}imagewoof2-160.tgz`,
  /** Imagewoof v2, shortest side 320 px. */
  IMAGEWOOF_320: `${IMAGE}imagewoof2-320.tgz`,
  /** Imagewang: Imagenette + Imagewoof with unlabelled images, full size. */
  IMAGEWANG: `${IMAGE}imagewang.tgz`,
  /** Imagewang, shortest side 160 px. */
  IMAGEWANG_160: `${IMAGE}imagewang-160.tgz`,
  /** Imagewang, shortest side 320 px. */
  IMAGEWANG_320: `${IMAGE}imagewang-320.tgz`,
  /** Caltech 101 object categories. */
  CALTECH_101: `${IMAGE}caltech_101.tgz`,
  /** Stanford Cars: 196 car models. */
  CARS: `${IMAGE}stanford-cars.tgz`,
  /** Caltech-UCSD Birds 200-2011. */
  CUB_200_2011: `${IMAGE}CUB_200_2011.tgz`,
  /** Oxford 102 Flowers. */
  FLOWERS: `${IMAGE}oxford-102-flowers.tgz`,
  /** Food-101. */
  FOOD: `${IMAGE}food-101.tgz`,
  /** Planet (Amazon satellite tiles, multi-label), sample. */
  PLANET_SAMPLE: `${SAMPLE}planet_sample.tgz`,
  /** Planet, tiny sample. */
  PLANET_TINY: `${SAMPLE}planet_tiny.tgz`,
} as const);

/** A name of {@link URLs}. */
export type DatasetName = keyof typeof URLs;
