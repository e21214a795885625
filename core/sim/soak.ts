/**
 * `npm run soak -- --seeds N [--from S] [--steps K]`: runs the simulation harness over N seeds and prints
 * every failing seed with a one-line replay command, then a summary line.
 * `npm run soak -- --seed S` replays one seed step by step. `--no-dead-disks` loses members through
 * mdadm --fail only (no dm-error disk), to explore the rest while that path has a known engine bug.
 */
import { parseArgs } from 'node:util';
import { runSimulation, type SimResult } from './harness';

const { values } = parseArgs({
  options: { seeds: { type: 'string' }, from: { type: 'string' }, seed: { type: 'string' }, steps: { type: 'string' }, 'no-dead-disks': { type: 'boolean' } },
});

function count(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) {
    console.error(`--${what} must be a whole number from 0 to 4294967295, not "${value}".`);
    process.exit(2);
  }
  return n;
}

const steps = count(values.steps, 24, 'steps');
const deadDisks = values['no-dead-disks'] !== true;
const stepsArg = (values.steps === undefined ? '' : ` --steps ${steps}`) + (deadDisks ? '' : ' --no-dead-disks');

if (values.seed !== undefined) {
  const seed = count(values.seed, 0, 'seed');
  const result = runSimulation({ seed, steps, deadDisks, log: (line) => console.log(line) });
  console.log(result.failure === null ? `seed ${seed}: ok` : `seed ${seed}: FAILED at step ${result.failure.step} (${result.failure.kind}): ${result.failure.message}`);
  process.exit(result.failure === null ? 0 : 1);
}

const seeds = count(values.seeds, 1000, 'seeds');
const from = count(values.from, 1, 'from');
const startedMs = performance.now();
const failures: SimResult[] = [];
const writeHoleSeeds: number[] = [];
let powerCuts = 0;
let droppedCuts = 0;
let secondFailures = 0;
let parityChecks = 0;
for (let seed = from; seed < from + seeds; seed++) {
  const r = runSimulation({ seed, steps, deadDisks });
  if (r.writeHoleReads > 0) writeHoleSeeds.push(seed);
  powerCuts += r.powerCuts;
  droppedCuts += r.cutsWithDroppedWrites;
  secondFailures += r.secondFailures;
  parityChecks += r.parityChecks;
  if (r.failure !== null) {
    failures.push(r);
    console.log(`seed ${seed} FAILED at step ${r.failure.step} (${r.failure.kind}): ${r.failure.message}`);
    console.log(`  replay: npm run soak -- --seed ${seed}${stepsArg}`);
  }
}
if (writeHoleSeeds.length > 0) {
  const shown = writeHoleSeeds.slice(0, 10).join(', ');
  console.log(`write hole (power cut mid-write, then a member lost before the resync) met in seeds ${shown}${writeHoleSeeds.length > 10 ? ', ...' : ''}`);
}
const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
console.log(
  `soak: ${seeds} seeds from ${from} in ${seconds} s: ${seeds - failures.length} passed, ${failures.length} failed; ` +
    `${powerCuts} power cuts (${droppedCuts} dropped writes in flight), write hole met in ${writeHoleSeeds.length} seeds, ` +
    `${secondFailures} second failures, ${parityChecks} parity checks`,
);
process.exit(failures.length === 0 ? 0 : 1);
