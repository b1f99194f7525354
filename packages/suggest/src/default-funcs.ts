import { halfway } from "./halfway.js";
import type { SuggestFunc } from "./types.js";
import { valley } from "./valley.js";

/** The names of the default suggestions, as result keys: `lrFind(learn)` is typed `{ halfway, valley }`. */
export type DefaultSuggestion = "halfway" | "valley";

/**
 * The suggestions computed when none are asked for: `halfway` first, the default suggestion, then
 * fastai's default `valley`, kept so that code written for fastai (`const { valley } = ...`) still runs.
 * Why not `valley` alone, as in fastai: on the bench's six real tasks (apps/bench/RESULTS.md) valley
 * lands decades left of the good LRs on smooth curves (median regret +29%, worst +139% with 10 seeds
 * and a split per seed), halfway does not (median +4%, worst +11%).
 */
export const DEFAULT_SUGGEST_FUNCS: readonly SuggestFunc[] = Object.freeze([halfway, valley]);
