import {
  combinedCos,
  combineScheds,
  SchedCos,
  SchedExp,
  SchedLin,
  SchedNo,
  SchedPoly,
  type Schedule,
  scheduleFromJSON,
} from "@sched/core";
import {
  Adam,
  type Callback,
  CallbackError,
  CancelFitException,
  initBackend,
  type Learner,
} from "@sched/learner";
import { expectNoLeaks, testClose } from "@sched/learner/testing";
import { beforeAll, describe, expect, test } from "vitest";
import { ParamSchedulerError } from "./errors.js";
import { ParamScheduler } from "./param-scheduler.js";
import { quietLearner, twoGroups } from "./test-helpers.js";

beforeAll(async () => {
  await initBackend();
});

/** Records every group's value of `hyper` after each training batch (runs after the scheduler). */
function groupProbe(hyper: string, rows: number[][]): Callback {
  return {
    name: "GroupProbe",
    order: 70,
    runValid: false,
    after_batch: (l) => rows.push((l.opt?.hypers ?? []).map((h) => h[hyper] as number)),
  };
}

/** The fit error's cause, which must be a ParamSchedulerError. */
async function schedulerError(run: Promise<unknown>): Promise<ParamSchedulerError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CallbackError);
  expect((err as CallbackError).event).toBe("before_fit");
  const cause = (err as CallbackError).cause;
  expect(cause).toBeInstanceOf(ParamSchedulerError);
  return cause as ParamSchedulerError;
}

// Batch i of a 2-epoch fit of 10 batches trains at pos i/20: P5 = [0, .25, .5, .75] is batches 0, 5, 10, 15.
const P5 = [0, 5, 10, 15];

describe("ParamScheduler: the annealers reach the optimizer (spec §9 items 2–9, through a fit)", () => {
  const cases: [string, Schedule<number>, number[], number[]][] = [
    ["SchedLin(0,2)", SchedLin(0, 2), P5, [0, 0.5, 1, 1.5]],
    ["SchedCos(0,2)", SchedCos(0, 2), P5, [0, 0.29289, 1, 1.70711]],
    ["SchedNo(0,2)", SchedNo(0, 2), P5, [0, 0, 0, 0]],
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: the notebook's listed (rounded) values
    ["SchedExp(1,2)", SchedExp(1, 2), P5, [1, 1.18921, 1.41421, 1.68179]],
    ["SchedPoly(0,2,2)", SchedPoly(0, 2, 2), P5, [0, 0.125, 0.5, 1.125]],
    [
      "combineScheds([.3,.2,.5], [SchedLin(0,1), SchedNo(1,1), SchedCos(1,0)])",
      combineScheds([0.3, 0.2, 0.5], [SchedLin(0, 1), SchedNo(1, 1), SchedCos(1, 0)]),
      [0, 3, 6, 8, 10, 14], // pos 0, .15, .3, .4, .5, .7
      [0, 0.5, 1, 1, 1, 0.65451],
    ],
    ["combinedCos(.25, .5, 1, 0)", combinedCos(0.25, 0.5, 1, 0), [0, 2, 5, 10], [0.5, 0.67275, 1, 0.75]],
  ];
  test.each(cases)("wd following %s", async (_, sched, batches, expected) => {
    const learn = quietLearner({ seed: 1 });
    await learn.fit(2, { cbs: [new ParamScheduler({ wd: sched })] });
    const wd = learn.recorder?.hps.wd ?? [];
    expect(wd).toHaveLength(20);
    testClose(
      batches.map((i) => wd[i] as number),
      expected,
    );
  });

  test("per-group arrays: combinedCos(.25, [.25,.5], [.5,1], [0,0]) gives each group its own curve", async () => {
    const learn = quietLearner({ seed: 1, splitter: twoGroups });
    const rows: number[][] = [];
    const sched = combinedCos(0.25, [0.25, 0.5], [0.5, 1], [0, 0]);
    await learn.fit(2, { cbs: [new ParamScheduler({ wd: sched }), groupProbe("wd", rows)] });
    testClose(
      [0, 2, 5, 10].map((i) => rows[i] as number[]),
      [
        [0.25, 0.5],
        [0.33638, 0.67275],
        [0.5, 1],
        [0.375, 0.75],
      ],
    );
    // The recorder keeps the last group only.
    testClose(
      learn.recorder?.hps.wd ?? [],
      rows.map((r) => r[1] as number),
      0,
    );
  });
});

describe("ParamScheduler: serialized schedules (spec §9 item 1)", () => {
  test("SchedCos(0, 5) rebuilt from its JSON drives a fit exactly like the original", async () => {
    const original = SchedCos(0, 5);
    const rebuilt = scheduleFromJSON(JSON.parse(JSON.stringify(original)));
    const runs: number[][] = [];
    for (const sched of [original, rebuilt]) {
      const learn = quietLearner({ nTrn: 4, seed: 2 });
      await learn.fit(2, { cbs: [new ParamScheduler({ wd: sched })] });
      runs.push(learn.recorder?.hps.wd ?? []);
    }
    expect(runs[0]).toHaveLength(8);
    expect(runs[1]).toEqual(runs[0]);
    testClose(runs[0]?.[4] as number, 2.5, 1e-12); // pos 0.5
  });
});

describe("ParamScheduler: recording (items 10, 11)", () => {
  test("item 10: fit(1) with { lr: SchedLin(1e-3, 1e-2) } records lr = 1e-3 + 9e-3·i/10", async () => {
    const learn = quietLearner();
    await learn.fit(1); // the optimizer's state exists before the checked fit
    const sched = new ParamScheduler({ lr: SchedLin(1e-3, 1e-2) });
    await expectNoLeaks(() => learn.fit(1, { cbs: [sched] }));
    const expected = Array.from({ length: 10 }, (_, i) => 1e-3 + (9e-3 * i) / 10);
    const rec = learn.recorder;
    testClose(rec?.hps.lr ?? [], expected, 1e-15);
    // The Recorder's own lrs saw the same values, and the scheduler keeps them too.
    expect(rec?.lrs).toEqual(rec?.hps.lr);
    expect(sched.hps.lr).toBe(rec?.hps.lr);
    expect(Object.keys(rec?.hps ?? {})).toEqual(["lr"]);
    // Nothing is restored after the fit: the optimizer keeps the last batch's value.
    expect(learn.opt?.hypers[0]?.lr).toBe(expected[9]);
    expect(learn.cbs).not.toContain(sched);
  });

  test("item 11: two groups with combinedCos(0.5, [1e-4,1e-3], [1e-3,1e-2], [1e-5,1e-4]) set both groups", async () => {
    const learn = quietLearner({ splitter: twoGroups });
    const rows: number[][] = [];
    const sched = combinedCos(0.5, [1e-4, 1e-3], [1e-3, 1e-2], [1e-5, 1e-4]);
    await learn.fit(1, { cbs: [new ParamScheduler({ lr: sched }), groupProbe("lr", rows)] });
    expect(rows).toHaveLength(10);
    // By the formula, independently of @sched/core: cosine up over the first half, down over the second.
    const cos = (s: number, e: number, p: number) => s + ((1 + Math.cos(Math.PI * (1 - p))) * (e - s)) / 2;
    rows.forEach((row, i) => {
      const pos = i / 10;
      const expected = [
        [1e-4, 1e-3, 1e-5],
        [1e-3, 1e-2, 1e-4],
      ].map(([s, m, e]) =>
        pos < 0.5
          ? cos(s as number, m as number, pos / 0.5)
          : cos(m as number, e as number, (pos - 0.5) / 0.5),
      );
      testClose(row, expected, 1e-15);
    });
    testClose(
      learn.recorder?.hps.lr ?? [],
      rows.map((r) => r[1] as number),
      0,
    );
  });

  test("the per-group list form gives exactly what the array form gives", async () => {
    const arrayRows: number[][] = [];
    const listRows: number[][] = [];
    const a = quietLearner({ splitter: twoGroups, seed: 3 });
    await a.fit(2, {
      cbs: [
        new ParamScheduler({ lr: combinedCos(0.3, [1e-4, 1e-3], [1e-3, 1e-2], 0) }),
        groupProbe("lr", arrayRows),
      ],
    });
    const b = quietLearner({ splitter: twoGroups, seed: 3 });
    const list = [combinedCos(0.3, 1e-4, 1e-3, 0), combinedCos(0.3, 1e-3, 1e-2, 0)];
    await b.fit(2, { cbs: [new ParamScheduler({ lr: list }), groupProbe("lr", listRows)] });
    expect(listRows).toHaveLength(20);
    expect(listRows).toEqual(arrayRows);
    expect(b.recorder?.hps.lr).toEqual(a.recorder?.hps.lr);
    // Training is the same too.
    expect(b.model.a.dataSync()[0]).toBe(a.model.a.dataSync()[0]);
  });

  test("validation batches are never touched; training batches only are recorded", async () => {
    const learn = quietLearner({ nTrn: 3, nVal: 2 });
    const seen: [boolean, number][] = [];
    const probe: Callback = {
      order: 70,
      before_batch: (l) => seen.push([l.training, l.opt?.hypers[0]?.lr as number]),
    };
    let calls = 0;
    const counted = (pos: number) => {
      calls += 1;
      return 1e-3 * (1 + pos);
    };
    await learn.fit(2, { cbs: [new ParamScheduler({ lr: counted }), probe] });
    const hps = learn.recorder?.hps.lr ?? [];
    expect(hps).toHaveLength(6);
    expect(calls).toBe(6 + 1); // one call per training batch, plus the check at before_fit
    const train = seen.filter(([t]) => t).map(([, lr]) => lr);
    expect(train).toEqual(hps);
    // Each epoch's validation batches see the value its last training batch left.
    expect(seen.map(([t, lr]) => (t ? "t" : lr))).toEqual([
      "t",
      "t",
      "t",
      hps[2],
      hps[2],
      "t",
      "t",
      "t",
      hps[5],
      hps[5],
    ]);
  });

  test("several hypers at once, and two schedulers in one fit share recorder.hps", async () => {
    const learn = quietLearner();
    await learn.fit(1, {
      cbs: [
        new ParamScheduler({ lr: SchedLin(1e-3, 2e-3), mom: SchedLin(0.9, 0.8) }),
        new ParamScheduler({ wd: SchedLin(0, 1e-2) }),
      ],
    });
    const hps = learn.recorder?.hps ?? {};
    expect(Object.keys(hps)).toEqual(["lr", "mom", "wd"]);
    testClose(
      hps.mom ?? [],
      Array.from({ length: 10 }, (_, i) => 0.9 - (0.1 * i) / 10),
      1e-12,
    );
    testClose(
      hps.wd ?? [],
      Array.from({ length: 10 }, (_, i) => (1e-2 * i) / 10),
      1e-15,
    );
    // A later fit starts fresh records.
    await learn.fit(1, { cbs: [new ParamScheduler({ lr: SchedNo(1e-3, 1e-3) })] });
    expect(Object.keys(learn.recorder?.hps ?? {})).toEqual(["lr"]);
  });

  test("hps are on the recorder after a cancelled fit and after a failed one", async () => {
    const learn = quietLearner();
    const stopAt = (n: number, error: () => Error): Callback => ({
      order: 70,
      runValid: false,
      after_batch: (l) => {
        if (l.trainIter === n) throw error();
      },
    });
    await learn.fit(2, {
      cbs: [new ParamScheduler({ lr: SchedLin(1e-3, 1e-2) }), stopAt(3, () => new CancelFitException())],
    });
    expect(learn.recorder?.hps.lr).toHaveLength(3);
    await expect(
      learn.fit(2, {
        cbs: [new ParamScheduler({ mom: SchedLin(0.9, 0.8) }), stopAt(4, () => new Error("boom"))],
      }),
    ).rejects.toThrow(/boom/);
    expect(Object.keys(learn.recorder?.hps ?? {})).toEqual(["mom"]);
    expect(learn.recorder?.hps.mom).toHaveLength(4);
  });

  test("toRecorder: false keeps the records on the scheduler only", async () => {
    const learn = quietLearner();
    await learn.fit(1, { cbs: [new ParamScheduler({ lr: SchedLin(1e-3, 1e-2) })] });
    const before = learn.recorder?.hps;
    const quiet = new ParamScheduler({ mom: SchedLin(0.9, 0.8) }, { toRecorder: false });
    await learn.fit(1, { cbs: [quiet] });
    expect(learn.recorder?.hps).toBe(before);
    expect(quiet.hps.mom).toHaveLength(10);
  });
});

describe("ParamScheduler: errors", () => {
  /** A learner that has trained once (so its optimizer state exists) and a record of batches run. */
  async function warmed(opts: Parameters<typeof quietLearner>[0] = {}) {
    const learn = quietLearner(opts);
    await learn.fit(1);
    const batches: number[] = [];
    const counter: Callback = { before_batch: (l) => batches.push(l.iter) };
    return { learn, batches, counter };
  }

  async function failsBeforeAnyBatch(learn: Learner, cbs: Callback[], batches: number[]) {
    const mom = learn.opt?.hypers.map((h) => h.mom);
    const cause = await expectNoLeaks(() => schedulerError(learn.fit(1, { cbs })));
    expect(batches).toEqual([]);
    expect(learn.opt?.hypers.map((h) => h.mom)).toEqual(mom);
    expect(learn.cbs.filter((cb) => cb instanceof ParamScheduler)).toEqual([]);
    return cause;
  }

  test("an unknown hyper name fails at before_fit, naming it and the optimizer's hypers", async () => {
    const { learn, batches, counter } = await warmed();
    const cause = await failsBeforeAnyBatch(
      learn,
      [new ParamScheduler({ beta1: SchedLin(0.9, 0.8) }), counter],
      batches,
    );
    expect(cause.message).toBe(
      'ParamScheduler: unknown hyper-parameter "beta1"; this optimizer has [lr, mom, wd]',
    );
    await learn.fit(1); // still usable
  });

  test("a snake_case name gets a hint", async () => {
    const { learn, batches, counter } = await warmed({ optFunc: Adam });
    const cause = await failsBeforeAnyBatch(
      learn,
      [new ParamScheduler({ sqr_mom: SchedLin(0.99, 0.9) }), counter],
      batches,
    );
    expect(cause.message).toMatch(
      /unknown hyper-parameter "sqr_mom" \(did you mean "sqrMom"\?\); this optimizer has \[lr, mom, sqrMom, eps, wd\]/,
    );
  });

  test("a per-group list whose length is not the number of groups", async () => {
    const { learn, batches, counter } = await warmed({ splitter: twoGroups });
    const list = [SchedLin(1e-3, 1e-2), SchedLin(1e-3, 1e-2), SchedLin(1e-3, 1e-2)];
    const cause = await failsBeforeAnyBatch(learn, [new ParamScheduler({ lr: list }), counter], batches);
    expect(cause.message).toBe(
      "ParamScheduler: scheds.lr is a list of 3 schedules but the optimizer has 2 parameter group(s); give one schedule per group",
    );
  });

  test("a per-group array schedule with the wrong number of values", async () => {
    const { learn, batches, counter } = await warmed({ splitter: twoGroups });
    const sched = SchedLin([1e-3, 1e-3, 1e-3], 1e-2);
    const cause = await failsBeforeAnyBatch(learn, [new ParamScheduler({ lr: sched }), counter], batches);
    expect(cause.message).toMatch(
      /^ParamScheduler: scheds.lr gives \[0.001, 0.001, 0.001\] at pos 0, which cannot be set on 2 parameter group\(s\): .*3 values/,
    );
  });

  test("a list entry that is not scalar, and the same hyper in two schedulers", async () => {
    const { learn, batches, counter } = await warmed({ splitter: twoGroups });
    const list = [SchedLin(1e-3, 1e-2), SchedLin([1e-3, 1e-3], 1e-2)];
    const cause = await failsBeforeAnyBatch(learn, [new ParamScheduler({ lr: list }), counter], batches);
    expect(cause.message).toMatch(
      /scheds\.lr\[1\] gives \[0\.001, 0\.001\] at pos 0; in the per-group list form each schedule gives one finite number/,
    );
    const twice = [
      new ParamScheduler({ lr: SchedLin(1e-3, 1e-2) }),
      new ParamScheduler({ lr: SchedNo(1e-3, 0) }),
    ];
    const clash = await failsBeforeAnyBatch(learn, [...twice, counter], batches);
    expect(clash.message).toBe(
      'ParamScheduler: hyper "lr" is already scheduled by another ParamScheduler in this fit',
    );
  });

  test.each([
    [null, /scheds must be an object of schedules by hyper name, got null/],
    [[SchedLin(0, 1)], /scheds must be an object/],
    [{}, /scheds is empty/],
    [
      { lr: 1e-3 },
      /scheds\.lr must be a schedule or a non-empty list of schedules \(one per group\), got 0\.001/,
    ],
    [{ lr: [] }, /scheds\.lr must be a schedule or a non-empty list/],
    [{ mom: [SchedLin(0, 1), "x"] }, /scheds\.mom must be .*got \[a function \(SchedLin\), "x"\]/],
  ])("constructor rejects %j", (scheds, message) => {
    expect(() => new ParamScheduler(scheds as never)).toThrow(ParamSchedulerError);
    expect(() => new ParamScheduler(scheds as never)).toThrow(message);
  });
});
