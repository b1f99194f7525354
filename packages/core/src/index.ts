export type { Hyper, Schedule, ScheduleSpec } from "./types.js";
