export { isLrFinderActive, LR_FINDER } from "./lr-finder/active.js";
export * from "./lr-finder/index.js";
