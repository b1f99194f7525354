/**
 * Calls per second of @sched/core schedules: what ParamScheduler pays per batch, per hyper-parameter.
 * Candidates run interleaved (compare()), each a loop of calls over 1,024 precomputed positions, against
 * the same cosine formula written inline (no call, no validation): the ratio is our whole overhead.
 *
 * Each candidate has its own loop function, so every call site sees one schedule (monomorphic), as a
 * scheduler that keeps one schedule per hyper does. Results are summed into a sink so the work stays.
 */
import {
  combinedCos,
  combineScheds,
  cosineRestarts,
  SchedCos,
  SchedLin,
  SchedNo,
  withWarmup,
} from "@sched/core";
import { compare } from "../measure.js";
import { table, writeSection } from "../results.js";
import type { Suite } from "../suite.js";

const POS = Float64Array.from({ length: 1024 }, (_, i) => (i + 0.5) / 1024);
let sink = 0;

const cos = SchedCos(1e-2, 1e-7);
const three = combineScheds(
  [0.3, 0.2, 0.5],
  [SchedLin(4e-4, 1e-2), SchedNo(1e-2, 1e-2), SchedCos(1e-2, 1e-7)],
);
const oneCycleLr = combinedCos(0.25, 4e-4, 1e-2, 1e-7);
const restarts = withWarmup(cosineRestarts({ max: 1e-2, cycles: 4, cycleMult: 2 }), { pct: 0.05 });
const groups = combinedCos(0.25, [4e-6, 4e-5, 4e-4], [1e-4, 1e-3, 1e-2], [1e-9, 1e-8, 1e-7]);

function loops(calls: number) {
  return {
    "inline cosine formula": () => {
      let acc = 0;
      const s = 1e-2;
      const d = 1e-7 - 1e-2;
      for (let i = 0; i < calls; i++) {
        const p = POS[i & 1023] as number;
        acc += s + ((1 + Math.cos(Math.PI * (1 - p))) * d) / 2;
      }
      sink += acc;
    },
    "SchedCos (one annealer)": () => {
      let acc = 0;
      for (let i = 0; i < calls; i++) acc += cos(POS[i & 1023] as number);
      sink += acc;
    },
    "combineScheds, 3 pieces": () => {
      let acc = 0;
      for (let i = 0; i < calls; i++) acc += three(POS[i & 1023] as number);
      sink += acc;
    },
    "combinedCos (fitOneCycle lr)": () => {
      let acc = 0;
      for (let i = 0; i < calls; i++) acc += oneCycleLr(POS[i & 1023] as number);
      sink += acc;
    },
    "withWarmup(cosineRestarts)": () => {
      let acc = 0;
      for (let i = 0; i < calls; i++) acc += restarts(POS[i & 1023] as number);
      sink += acc;
    },
    "combinedCos, 3 parameter groups": () => {
      let acc = 0;
      for (let i = 0; i < calls; i++) acc += groups(POS[i & 1023] as number)[2] as number;
      sink += acc;
    },
  };
}

const suite: Suite = {
  name: "schedules",
  title: "Schedules: calls per second",
  async run({ quick, command }) {
    const calls = quick ? 200_000 : 2_000_000;
    const rounds = quick ? 5 : 11;
    const candidates = loops(calls);
    const r = await compare(candidates, { rounds, warmup: 2, baseline: "inline cosine formula" });
    const rows = Object.keys(candidates).map((name) => {
      const perCall = (r.seconds[name] as number) / calls;
      return { name, ns: perCall * 1e9, perSecond: 1 / perCall, ratio: r.ratio[name] as number };
    });
    for (const row of rows) {
      console.log(
        `${row.name.padEnd(34)} ${row.ns.toFixed(1).padStart(7)} ns/call  ${row.ratio.toFixed(2)}×`,
      );
    }
    const body = [
      `Per call, median over ${rounds} interleaved rounds of ${calls.toLocaleString("en-US")} calls each;`,
      "ratio = median of same-round time / the same cosine written inline (no call, no position check).",
      "Aim: a combined schedule costs no more than a few hundred nanoseconds a call. Scalar schedules",
      "allocate nothing per call; the per-group schedule returns a fresh 3-element array each call.",
      "",
      table(
        ["candidate", "ns / call", "calls / s", "ratio to inline formula"],
        rows.map((row) => [
          row.name,
          row.ns.toFixed(1),
          `${(row.perSecond / 1e6).toFixed(1)} M`,
          `${row.ratio.toFixed(2)}×`,
        ]),
      ),
    ].join("\n");
    writeSection({ suite: "schedules", title: suite.title, command, body, json: { calls, rounds, rows } });
    if (!Number.isFinite(sink)) console.log("sink", sink);
  },
};

export default suite;
