export { initBackend } from "./backend.js";
export type * from "./optim/types.js";
