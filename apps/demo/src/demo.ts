/**
 * The demo's orchestration: flags → backend → (with --pets, the download first, so a failure costs
 * nothing) → optdigits → the Pets pipeline → out/. `main` returns the exit code instead of exiting,
 * so a test can run it in-process.
 */
import { fileURLToPath } from "node:url";
import { initBackend } from "@sched/learner";
import { URLs } from "@sched/vision";
import { parseArgs, USAGE, UsageError } from "./args.js";
import type { Plan, Print } from "./experiment.js";
import { type ImageSource, localPets, oxfordPets, runPets, SOURCE_NAMES, SOURCE_NOTES } from "./pets.js";
import { type Part, writeOutputs } from "./report.js";
import { OPTDIGITS_ABOUT, runOptdigits } from "./tabular.js";

/** apps/demo/out, whatever the working directory. */
export const DEFAULT_OUT = fileURLToPath(new URL("../out", import.meta.url));

/** Overrides the --pets URL (tests point it at a closed loopback port). */
export const PETS_URL_ENV = "SCHED_DEMO_PETS_URL";

/** Run lengths: the full demo stays under 3 minutes on the native backend, --quick under a minute. */
const SETTINGS = {
  full: {
    digits: { numIt: 100, epochs: 5, fallbackLr: 1e-3 },
    pets: { numIt: 40, epochs: 8, fallbackLr: 1e-3 },
    image: { size: 64, bs: 16 },
    perBreed: 4, // generated images: 4 × 12 breeds
    petsImages: 480, // --pets: photos used of the ~7,400
  },
  quick: {
    digits: { numIt: 30, epochs: 1, fallbackLr: 1e-3 },
    pets: { numIt: 24, epochs: 1, fallbackLr: 1e-3 },
    image: { size: 32, bs: 16 },
    perBreed: 2,
    petsImages: 48,
  },
} satisfies Record<string, { digits: Plan; pets: Plan; image: object; perBreed: number; petsImages: number }>;

/**
 * Without the native backend one resnet18 step takes about a minute (cpu or wasm, 32 px, batch 16, on
 * 2 cores), so the Pets part shrinks to a token run there, in both modes: ~15 steps instead of ~65.
 */
const SLOW_BACKEND_PETS = { plan: { numIt: 10, epochs: 1, fallbackLr: 1e-3 }, image: { size: 32, bs: 16 } };

/** Where the demo writes its text. */
export interface MainIo {
  print?: Print;
  printError?: Print;
}

function backendNote(backend: string): string {
  if (backend === "tensorflow") return "(native)";
  const why = process.env.SCHED_TF_BACKEND ? "chosen by SCHED_TF_BACKEND" : "the native backend did not load";
  return `(${why}: the Pets part will be a token run)`;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0] ?? text;
}

/** Runs the demo with `argv` (flags only); resolves to the process exit code. */
export async function main(argv: readonly string[], io: MainIo = {}): Promise<number> {
  const print = io.print ?? ((line: string) => console.log(line));
  const printError = io.printError ?? ((line: string) => console.error(line));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    // pnpm runs the script in apps/demo; INIT_CWD is where pnpm itself was started.
    parsed = parseArgs(argv, process.env.INIT_CWD ?? process.cwd(), DEFAULT_OUT);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printError(`demo: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.kind === "help") {
    print(USAGE);
    return 0;
  }
  const { options } = parsed;
  const settings = options.quick ? SETTINGS.quick : SETTINGS.full;
  const started = performance.now();
  const backend = await initBackend();
  print(`backend: ${backend} ${backendNote(backend)}`);

  let images: ImageSource | undefined;
  if (options.pets) {
    const url = process.env[PETS_URL_ENV] || URLs.PETS;
    try {
      images = await oxfordPets(url, settings.petsImages);
    } catch (err) {
      // untarData leaves nothing behind on failure; say why in one line and stop.
      printError(
        `demo: --pets: cannot get the Oxford-IIIT Pet dataset: ${firstLine(err)} (without --pets the demo needs no network)`,
      );
      return 1;
    }
  }

  print("\n== optdigits: MLP on 8×8 handwritten digits ==");
  const digits = await runOptdigits(settings.digits, print);

  print("\n== Pets: cat or dog, resnet18 ==");
  images ??= await localPets(options.out, settings.perBreed);
  print(`images: ${SOURCE_NAMES[images.kind]}`);
  const slow = backend !== "tensorflow";
  const petsRun = slow ? SLOW_BACKEND_PETS : { plan: settings.pets, image: settings.image };
  if (slow)
    print("note: no native backend, so this part is a token run (32 px, 10 LR-finder iterations, 1 epoch)");
  const pets = await runPets(images, petsRun.plan, petsRun.image, print);

  const parts: Part[] = [
    {
      key: "optdigits",
      title: "optdigits",
      about: OPTDIGITS_ABOUT,
      result: digits,
    },
    {
      key: "pets",
      title: "Pets",
      about:
        `Images: ${images.description}. Label: a capitalised file name is a cat (fastai's rule).\n\n` +
        `${SOURCE_NOTES[images.kind]}\n\n` +
        `Model: resnet18 from scratch (no pretrained weights offline) with fastai's head, ` +
        `Resize(${petsRun.image.size}) crops, batch ${petsRun.image.bs}; metric: error rate.` +
        (slow ? " A token run: without the native backend each resnet18 step takes about a minute." : ""),
      result: pets,
    },
  ];
  const elapsedSeconds = (performance.now() - started) / 1000;
  const files = await writeOutputs(options.out, parts, {
    backend,
    mode: options.quick ? "quick" : "full",
    elapsedSeconds,
  });
  print("\n== out ==");
  for (const f of files) print(`wrote ${f}`);
  print(`out: ${options.out}`);
  print(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
