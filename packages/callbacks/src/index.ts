export { isLrFinderActive, LR_FINDER } from "./lr-finder/active.js";
