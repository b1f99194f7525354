/** `pnpm demo [-- flags]`: runs the demo (src/demo.ts) and exits with its code. `--help` lists the flags. */
import { main } from "./demo.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
