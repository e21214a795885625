/**
 * What the fault form holds, and the request it makes: plain values the inputs bind to, turned into
 * the contract's LabFault and LabTrigger. No engine logic: the host validates (zod) and md decides.
 */
import type { LabFaultInput, LabFaultKind, LabTrigger } from '../../api';

export const FAULT_KINDS: readonly LabFaultKind[] = ['fail', 'unplug', 'read-error', 'write-error', 'flakey', 'delay', 'slow', 'bitrot'];
export const SYNC_KINDS = ['recover', 'resync', 'check', 'repair'] as const;
export const WHEN_MODES = ['now', 'after', 'progress', 'nth-write'] as const;
export type WhenMode = (typeof WHEN_MODES)[number];

export interface FaultForm {
  kind: LabFaultKind;
  startSector: number;
  lengthSectors: number;
  upMs: number;
  downMs: number;
  errorReads: boolean;
  errorWrites: boolean;
  dropWrites: boolean;
  corrupt: boolean;
  corruptNthByte: number;
  corruptDirection: 'read' | 'write';
  corruptValue: number;
  readMs: number;
  writeMs: number;
  bandwidthKibPerSec: number;
  bitrotBy: 'chosen' | 'seeded';
  /** Chosen bit rot: image sectors, separated by commas or spaces. */
  bitrotSectors: string;
  bitrotCount: number;
  bitrotSeed: number;
}

export interface WhenForm {
  mode: WhenMode;
  afterSeconds: number;
  percent: number;
  action: (typeof SYNC_KINDS)[number];
  nthWrite: number;
}

export function defaultFaultForm(): FaultForm {
  return {
    kind: 'read-error',
    startSector: 0,
    lengthSectors: 8,
    upMs: 2000,
    downMs: 1000,
    errorReads: true,
    errorWrites: false,
    dropWrites: false,
    corrupt: false,
    corruptNthByte: 1,
    corruptDirection: 'read',
    corruptValue: 0,
    readMs: 20,
    writeMs: 20,
    bandwidthKibPerSec: 1024,
    bitrotBy: 'seeded',
    bitrotSectors: '',
    bitrotCount: 8,
    bitrotSeed: 1,
  };
}

export function defaultWhenForm(): WhenForm {
  return { mode: 'now', afterSeconds: 5, percent: 30, action: 'recover', nthWrite: 100 };
}

/** "2048, 4100 8192" -> [2048, 4100, 8192]; anything not a whole number is left for the host to refuse. */
function sectorList(text: string): number[] {
  return text
    .split(/[\s,]+/)
    .filter((word) => word.length > 0)
    .map(Number);
}

export function faultOf(f: FaultForm): LabFaultInput {
  const range = { startSector: Number(f.startSector), lengthSectors: Number(f.lengthSectors) };
  switch (f.kind) {
    case 'fail':
    case 'unplug':
      return { kind: f.kind };
    case 'read-error':
    case 'write-error':
      return { kind: f.kind, range };
    case 'flakey': {
      const corruptBioByte = f.corrupt ? { nthByte: Number(f.corruptNthByte), direction: f.corruptDirection, value: Number(f.corruptValue) } : null;
      return { kind: 'flakey', upMs: Number(f.upMs), downMs: Number(f.downMs), errorReads: f.errorReads, errorWrites: f.errorWrites, dropWrites: f.dropWrites, corruptBioByte };
    }
    case 'delay':
      return { kind: 'delay', readMs: Number(f.readMs), writeMs: Number(f.writeMs) };
    case 'slow':
      return { kind: 'slow', bandwidthKibPerSec: Number(f.bandwidthKibPerSec) };
    case 'bitrot':
      return f.bitrotBy === 'chosen'
        ? { kind: 'bitrot', placement: { by: 'chosen', sectors: sectorList(f.bitrotSectors) } }
        : { kind: 'bitrot', placement: { by: 'seeded', count: Number(f.bitrotCount), seed: Number(f.bitrotSeed), range: null } };
  }
}

/** undefined = now. */
export function triggerOf(w: WhenForm): LabTrigger | undefined {
  switch (w.mode) {
    case 'now':
      return undefined;
    case 'after':
      return { kind: 'after', ms: Math.round(Number(w.afterSeconds) * 1000) };
    case 'progress':
      return { kind: 'progress', percent: Number(w.percent), action: w.action };
    case 'nth-write':
      return { kind: 'nth-write', n: Number(w.nthWrite) };
  }
}
