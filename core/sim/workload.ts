/**
 * The seeded choices of one simulation run: array geometry and the next step. Pure functions of a Prng,
 * so a seed names one run and `npm run soak -- --seed S` replays it.
 */
import type { CreateOptions } from '../md/create';
import type { Prng } from '../faults/prng';

export type StepKind =
  | 'write'
  | 'read'
  | 'fail'
  | 'read-error'
  | 'add-back'
  | 'check'
  | 'repair'
  | 'stop-assemble'
  | 'power-cut'
  | 'second-failure';

/** What the array can take right now; the workload never asks for a step md would refuse outright. */
export interface ArrayFacts {
  degraded: number;
  /** An image that is not an active member (failed, removed or kicked at assembly). */
  memberMissing: boolean;
}

const WEIGHTS: readonly (readonly [StepKind, number])[] = [
  ['write', 36],
  ['read', 18],
  ['fail', 7],
  ['read-error', 6],
  ['add-back', 12],
  ['check', 5],
  ['repair', 3],
  ['stop-assemble', 5],
  ['power-cut', 7],
  ['second-failure', 1],
];

function allowed(kind: StepKind, facts: ArrayFacts): boolean {
  switch (kind) {
    case 'fail':
    case 'read-error':
    case 'check':
    case 'repair':
    case 'power-cut':
      return facts.degraded === 0 && !facts.memberMissing;
    case 'add-back':
      return facts.memberMissing;
    case 'second-failure':
      return facts.degraded === 1;
    default:
      return true;
  }
}

export function nextStep(prng: Prng, facts: ArrayFacts): StepKind {
  const open = WEIGHTS.filter(([kind]) => allowed(kind, facts));
  const total = open.reduce((sum, [, w]) => sum + w, 0);
  let pick = prng.nextInt(total);
  for (const [kind, weight] of open) {
    if (pick < weight) return kind;
    pick -= weight;
  }
  return open[open.length - 1][0];
}

const MiB = 1024 * 1024;
/** mdadm 4.2 puts data 1 MiB in on members this small (spec §1.9); the rest is the data area. */
const DATA_OFFSET_BYTES = MiB;

export function chooseGeometry(prng: Prng): CreateOptions {
  const level = prng.chance(0.2) ? 4 : 5;
  const chunkKib = [4, 8, 16, 32][prng.nextInt(4)];
  // At least 64 KiB of data per member: below 128 sectors planCreate's bitmap sizing never ends (reported).
  const minChunks = Math.max(2, 64 / chunkKib);
  const chunksPerMember = minChunks + prng.nextInt(192 / chunkKib - minChunks + 1);
  const uuid = (): Uint8Array => Uint8Array.from({ length: 16 }, () => prng.nextInt(256));
  const setUuid = uuid();
  const deviceUuids = Array.from({ length: 8 }, uuid);
  return {
    level,
    raidDevices: 3 + prng.nextInt(3),
    layout: level === 5 ? prng.nextInt(4) : undefined,
    chunkKib,
    memberBytes: DATA_OFFSET_BYTES + chunksPerMember * chunkKib * 1024,
    bitmap: prng.chance(0.5) ? 'internal' : 'none',
    assumeClean: prng.chance(0.3),
    name: 'sim',
    homehost: 'mdlab',
    nowSeconds: 1_790_000_000,
    setUuid,
    deviceUuid: (i) => deviceUuids[i],
  };
}

export function randomBytes(prng: Prng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    const x = prng.nextU32();
    out[i] = x;
    if (i + 1 < length) out[i + 1] = x >>> 8;
    if (i + 2 < length) out[i + 2] = x >>> 16;
    if (i + 3 < length) out[i + 3] = x >>> 24;
  }
  return out;
}

/** A byte range of the array: tiny and unaligned, whole sectors, whole stripe rows, or anything. */
export function chooseRange(prng: Prng, arrayBytes: number, rowBytes: number): { offsetBytes: number; lengthBytes: number } {
  const shape = prng.nextInt(4);
  let offsetBytes: number;
  let lengthBytes: number;
  if (shape === 0) {
    lengthBytes = 1 + prng.nextInt(700);
    offsetBytes = prng.nextInt(arrayBytes - lengthBytes + 1);
  } else if (shape === 1) {
    lengthBytes = 512 * (1 + prng.nextInt(24));
    offsetBytes = 512 * prng.nextInt((arrayBytes - lengthBytes) / 512 + 1);
  } else if (shape === 2) {
    const rows = Math.min(1 + prng.nextInt(2), arrayBytes / rowBytes);
    lengthBytes = rows * rowBytes;
    offsetBytes = rowBytes * prng.nextInt((arrayBytes - lengthBytes) / rowBytes + 1);
  } else {
    lengthBytes = 1 + prng.nextInt(Math.min(arrayBytes, 3 * rowBytes));
    offsetBytes = prng.nextInt(arrayBytes - lengthBytes + 1);
  }
  return { offsetBytes, lengthBytes };
}
