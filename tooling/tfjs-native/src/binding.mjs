// Building tfjs-node's binding against the cached libtensorflow, installing it, checking it loads.
import {
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  rmdirSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { copyFileAtomic, makeTemp, replaceWithSymlink } from "./atomic.mjs";
import { findNodeGyp, localNodeDir } from "./locate.mjs";
import { run, SetupError, say } from "./run.mjs";

/**
 * Compiles the binding in a temporary folder of the cache (tfjs-node's own sources are never
 * touched: pnpm hard-links them from its store). Returns the temporary folder; its `out/` holds
 * tfjs_binding.node, ready to be published into the cache once it has been verified.
 */
export function buildBinding(layout, tfjsNode) {
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) {
    throw new SetupError(
      "node-gyp is not installed",
      "tooling/tfjs-native's devDependency is missing",
      "run `pnpm install` without --prod",
    );
  }
  const tmp = makeTemp(layout.bindings);
  cpSync(join(tfjsNode.dir, "binding.gyp"), join(tmp, "binding.gyp"));
  cpSync(join(tfjsNode.dir, "binding"), join(tmp, "binding"), { recursive: true });
  symlinkSync(layout.deps, join(tmp, "deps"));
  const nodeDir = localNodeDir();
  say(`building tfjs_binding.node (napi v${tfjsNode.napi}) with node-gyp`);
  const r = run(
    process.execPath,
    [
      nodeGyp,
      "rebuild",
      ...(nodeDir ? [`--nodedir=${nodeDir}`] : []),
      `--napi_build_version=${tfjsNode.napi}`,
      "--module_name=tfjs_binding",
      `--module_path=lib/napi-v${tfjsNode.napi}`,
    ],
    { cwd: tmp, timeout: 15 * 60_000 },
  );
  if (!r.ok) {
    rmSync(tmp, { recursive: true, force: true });
    const missing = /not found|ENOENT|No such file or directory.*(make|g\+\+|cc)/.test(r.detail);
    throw new SetupError(
      "building tfjs_binding.node with node-gyp failed",
      r.detail,
      missing
        ? "install g++, make and python3, then run `pnpm install` again"
        : "see the log, then run `pnpm install` again",
    );
  }
  mkdirSync(join(tmp, "out"));
  copyFileSync(join(tmp, "build/Release/tfjs_binding.node"), join(tmp, "out/tfjs_binding.node"));
  return tmp;
}

/**
 * Puts the binding where tfjs-node loads it and points tfjs-node's deps/ at the cached libraries
 * (its RUNPATH is $ORIGIN/../../deps/lib). Each of the two writes is a single rename.
 */
export function installBinding(bindingFile, layout, tfjsNode) {
  replaceWithSymlink(layout.deps, join(tfjsNode.dir, "deps"));
  copyFileAtomic(bindingFile, tfjsNode.bindingPath);
}

/** Removes what installBinding wrote, so a binding that failed verification is never loaded. */
export function uninstallBinding(tfjsNode) {
  rmSync(tfjsNode.bindingPath, { force: true });
  removeIfEmpty(dirname(tfjsNode.bindingPath));
  removeIfEmpty(dirname(dirname(tfjsNode.bindingPath)));
  // Only our symlink: a real deps/ folder would be tfjs-node's own download, not ours to delete.
  const deps = join(tfjsNode.dir, "deps");
  if (isSymlink(deps)) rmSync(deps);
}

function removeIfEmpty(dir) {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // Already gone.
  }
}

function isSymlink(p) {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

// Runs in a child process, so that a binding that crashes on load cannot take the install down.
const VERIFY = `
const tf = require(process.argv[1]);
const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync();
const c = tf.conv2d(tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 1]), 1, "valid").dataSync();
if (tf.getBackend() !== "tensorflow" || y[0] !== 17 || y[1] !== 39 || c.length !== 4 || c[0] !== 4) {
  console.error("wrong results on backend " + tf.getBackend() + ": " + Array.from(y) + " / " + Array.from(c));
  process.exit(1);
}
console.log("ok");
`;

/** Whether tfjs-node loads its binding and computes correctly, checked in a child process. */
export function bindingWorks(tfjsNode) {
  if (!existsSync(tfjsNode.bindingPath))
    return { ok: false, detail: `${tfjsNode.bindingPath} does not exist` };
  const r = run(process.execPath, ["-e", VERIFY, tfjsNode.dir], {
    cwd: tfjsNode.dir,
    timeout: 5 * 60_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2", TF_ENABLE_ONEDNN_OPTS: "0" },
  });
  return { ok: r.ok && r.stdout.trim() === "ok", detail: r.detail || r.stdout.trim() };
}
