// Where things are: the tfjs-node package to complete, the per-user cache, the toolchain.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The wheel libtensorflow comes from; its C API is what tfjs-node's binding calls. */
export const WHEEL = { name: "tensorflow-cpu", version: "2.21.0" };

const here = dirname(fileURLToPath(import.meta.url));
export const toolDir = resolve(here, "..");
export const repoRoot = resolve(toolDir, "../..");

/** The installed @tensorflow/tfjs-node package (as @sched/learner resolves it), or null. */
export function findTfjsNode() {
  if (process.env.SCHED_TFJS_NODE_DIR) return tfjsNodeAt(resolve(process.env.SCHED_TFJS_NODE_DIR));
  try {
    const req = createRequire(join(repoRoot, "packages/learner/package.json"));
    return tfjsNodeAt(dirname(req.resolve("@tensorflow/tfjs-node/package.json")));
  } catch {
    return null;
  }
}

function tfjsNodeAt(dir) {
  const pkgFile = join(dir, "package.json");
  if (!existsSync(pkgFile)) return null;
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
  const napi = napiBuildVersion(pkg.binary?.napi_versions ?? []);
  return {
    dir,
    version: pkg.version,
    napi,
    // The path tfjs-node itself will load, computed by the same node-pre-gyp it uses.
    bindingPath: bindingPathOf(dir, pkgFile, napi),
  };
}

/** node-pre-gyp picks the highest N-API version both the package and this Node support. */
function napiBuildVersion(versions) {
  const node = Number(process.versions.napi);
  return Math.max(...versions.map(Number).filter((v) => v <= node));
}

function bindingPathOf(dir, pkgFile, napi) {
  try {
    return createRequire(pkgFile)("@mapbox/node-pre-gyp").find(pkgFile);
  } catch {
    return join(dir, `lib/napi-v${napi}/tfjs_binding.node`);
  }
}

/** The per-user cache: SCHED_TFJS_NATIVE_CACHE, else $XDG_CACHE_HOME/sched/tfjs-native, else ~/.cache/…. */
export function cacheRoot() {
  if (process.env.SCHED_TFJS_NATIVE_CACHE) return resolve(process.env.SCHED_TFJS_NATIVE_CACHE);
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg ? resolve(xdg) : join(homedir(), ".cache"), "sched", "tfjs-native");
}

/**
 * Cache layout, one folder per TensorFlow version and platform:
 *   <version>/deps/lib, <version>/deps/include   libtensorflow from the wheel
 *   <version>/bindings/<tfjs-node version>-napi-v<n>/tfjs_binding.node
 * The binding sits two levels below <version>, so its RUNPATH ($ORIGIN/../../deps/lib) finds the
 * cached libraries in place, exactly as it finds them inside the tfjs-node package.
 */
export function cacheLayout(root, tfjsNode) {
  const versionDir = join(root, `${WHEEL.version}-${process.platform}-${process.arch}`);
  return {
    root,
    versionDir,
    deps: join(versionDir, "deps"),
    bindings: join(versionDir, "bindings"),
    binding: join(versionDir, "bindings", `tfjs-node-${tfjsNode.version}-napi-v${tfjsNode.napi}`),
  };
}

/** node-gyp from this package's devDependencies, or null. */
export function findNodeGyp() {
  try {
    return createRequire(join(toolDir, "package.json")).resolve("node-gyp/bin/node-gyp.js");
  } catch {
    return null;
  }
}

/** Node's own headers next to the running binary (offline), when the distribution ships them. */
export function localNodeDir() {
  const prefix = resolve(dirname(process.execPath), "..");
  return existsSync(join(prefix, "include/node/node_api.h")) ? prefix : null;
}

/** The Python that runs pip and gyp. */
export function python() {
  return process.env.PYTHON || "python3";
}
