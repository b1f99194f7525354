import * as tf from "@tensorflow/tfjs";

// tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter or depthwise-conv gradient kernels (so it
// cannot train a CNN), and tfjs-node lacks a few image kernels (Transform, RotateWithOffset…).
// Each kernel the cpu backend has and the active backend lacks is registered for that backend
// as: copy the inputs to cpu, run the cpu kernel, copy the outputs back. Slow, but correct, and
// only for the kernels that would otherwise throw "Kernel 'X' not registered".
//
// Kernels a backend has but computes wrongly are replaced the same way. wasm's MaxPoolGrad sends
// the gradient to the wrong elements when there is more than one channel (checked against
// finite differences, which cpu and tensorflow match).
const REPLACED: Record<string, readonly string[]> = { wasm: ["MaxPoolGrad"] };

type Info = tf.TensorInfo;
type Backend = tf.KernelBackend;
const COPYABLE = new Set<string>(["float32", "int32", "bool"]);

/** Registers cpu-backed versions of the kernels `target` lacks or gets wrong; returns their names. */
export function completeWithCpuKernels(target: string): string[] {
  const cpu = tf.findBackend("cpu") as Backend | null;
  if (!cpu) return [];
  // The cpu backend prints its "install the node backend" banner on its first write: spend it here.
  cpu.disposeData(cpu.write(new Float32Array(1), [1], "float32"), true);
  const replaced = new Set(REPLACED[target] ?? []);
  for (const name of replaced) if (tf.getKernel(name, target)) tf.unregisterKernel(name, target);
  const have = new Set(tf.getKernelsForBackend(target).map((k) => k.kernelName));
  const added: string[] = [];
  for (const kernel of tf.getKernelsForBackend("cpu")) {
    if (have.has(kernel.kernelName)) continue;
    tf.registerKernel({
      kernelName: kernel.kernelName,
      backendName: target,
      kernelFunc: ({ inputs, attrs, backend }) =>
        runOnCpu(kernel, inputs, attrs, backend as Backend, cpu, target),
    });
    added.push(kernel.kernelName);
  }
  return added;
}

function runOnCpu(
  kernel: tf.KernelConfig,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap | undefined,
  from: Backend,
  cpu: Backend,
  target: string,
): Info | Info[] {
  const check = (info: Info) => {
    if (!COPYABLE.has(info.dtype)) {
      throw new Error(
        `Kernel '${kernel.kernelName}' is not implemented on backend '${target}' and its cpu fallback ` +
          `copies only float32, int32 and bool tensors, not ${info.dtype}`,
      );
    }
  };
  const created = new Set<tf.DataId>();
  const toCpu = (info: Info | undefined): Info | undefined => {
    if (!info) return info;
    check(info);
    const dataId = cpu.write(from.readSync(info.dataId), info.shape, info.dtype);
    created.add(dataId);
    return { dataId, shape: info.shape, dtype: info.dtype };
  };
  try {
    // Kernels with a list of inputs (Concat, AddN…) receive an array, the others a named map.
    const cpuInputs = Array.isArray(inputs)
      ? (inputs as Info[]).map(toCpu)
      : Object.fromEntries(Object.entries(inputs).map(([name, info]) => [name, toCpu(info)]));
    const out = kernel.kernelFunc({
      inputs: cpuInputs as tf.NamedTensorInfoMap,
      attrs: attrs ?? {},
      backend: cpu,
    });
    const back = (Array.isArray(out) ? out : [out]).map((info) => {
      created.add(info.dataId);
      check(info);
      return {
        dataId: from.write(cpu.readSync(info.dataId), info.shape, info.dtype),
        shape: info.shape,
        dtype: info.dtype,
      };
    });
    return Array.isArray(out) ? back : (back[0] as Info);
  } finally {
    for (const id of created) cpu.disposeData(id, true);
  }
}
