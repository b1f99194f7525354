/** The MNIST test split (10,000 images), divided 8k train / 2k valid in file order. */
import * as tf from "@tensorflow/tfjs";
import { readData, readIdx } from "./files.js";
import { smallCnn } from "./models.js";
import type { Task, TaskData } from "./task.js";

export const MNIST_TRAIN = 8000;

/** Pixels scaled by 1/255 (as the data README says), shape [n, 28, 28, 1]; labels int32. */
export function loadMnist(): TaskData {
  const images = readIdx(readData("mnist/t10k-images-idx3-ubyte.gz"), 2051);
  const labels = readIdx(readData("mnist/t10k-labels-idx1-ubyte.gz"), 2049);
  const [n, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) throw new Error(`bench: ${n} MNIST images but ${labels.dims[0]} labels`);
  const px = rows * cols;
  const x = Float32Array.from(images.data, (v) => v / 255);
  const y = Int32Array.from(labels.data);
  const m = MNIST_TRAIN;
  const t = [
    tf.tensor4d(x.subarray(0, m * px), [m, rows, cols, 1]),
    tf.tensor1d(y.subarray(0, m), "int32"),
    tf.tensor4d(x.subarray(m * px), [n - m, rows, cols, 1]),
    tf.tensor1d(y.subarray(m), "int32"),
  ] as const;
  return { train: [t[0], t[1]], valid: [t[2], t[3]], dispose: () => tf.dispose([...t]) };
}

export const mnist: Task = {
  name: "mnist",
  describe:
    "MNIST test split, first 8,000 train / last 2,000 valid, pixels /255; CNN conv16/2-conv32/2-dense10, bs 64",
  kind: "classification",
  bs: 64,
  epochs: 3,
  load: loadMnist,
  randomSplit: false,
  model: (seed) => smallCnn({ side: 28, firstStride: 2, padding: "valid" }, seed),
};
