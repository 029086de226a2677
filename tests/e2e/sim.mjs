// The Genesys Cloud emulator (`genesys-sim`, built by scripts/test) for end-to-end tests:
// start it on a free loopback port, and ask it for the ground truth of its dataset.
import { spawn, execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import readline from "node:readline";

const run = promisify(execFile);

/** The emulator binary (built by scripts/test). */
export function simBinary() {
  const bin = process.env.SIM_BIN;
  if (!bin || !fs.existsSync(bin)) {
    throw new Error(`SIM_BIN must point at the built genesys-sim (got ${bin}); run scripts/test`);
  }
  return bin;
}

/**
 * Start the emulator with `args` (plus `--port 0`); resolves with its base URL once it prints
 * `listening on URL`.
 * @param {string[]} args
 */
export async function startSim(args) {
  const proc = spawn(simBinary(), ["--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr += d));
  const lines = readline.createInterface({ input: proc.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`genesys-sim did not start: ${stderr}`)), 30000);
    lines.on("line", (line) => {
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`genesys-sim exited (${code}): ${stderr}`));
    });
  });
  return {
    url,
    stop() {
      proc.kill("SIGINT");
    },
  };
}

/**
 * The ids of the conversations an export of [from, to) must contain, in order
 * (`genesys-sim <dataset args> ground-truth --from F --to T`).
 * @param {string[]} datasetArgs the same --conversations/--seed/--start/--days as the running emulator
 */
export async function groundTruth(datasetArgs, from, to) {
  const { stdout } = await run(simBinary(), [...datasetArgs, "ground-truth", "--from", from, "--to", to], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.split("\n").filter(Boolean);
}
