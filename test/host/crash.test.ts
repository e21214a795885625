/**
 * The engine host killed with SIGKILL in the middle of writes to an array on real sparse files. Whatever
 * md had acknowledged must be on the images; reassembly finds the array unclean and resyncs it (only the
 * dirty bitmap chunks when it has a bitmap, everything when it has none), and then every acknowledged
 * write reads back intact and the interrupted one left each sector either old or new.
 */
import { type ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MdArray } from '../../core/engine/array';
import { VirtualClock } from '../../core/engine/clock';
import { MAX_SECTOR_NUM } from '../../core/engine/md/rdev';
import { lbaPatternBytes } from '../../core/format/lba-pattern';
import { LAB_PATTERN_TAG } from '../../core/host/lab/lab';
import { inspectSession } from '../../core/session/inspect';

const MiB = 1024 * 1024;
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-host-process.ts');

interface Reply {
  ok: boolean;
  result?: unknown;
  error?: { message: string };
}

class HostProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  readonly exited: Promise<NodeJS.Signals | null>;
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    this.ready = new Promise((resolve) => {
      child.on('message', (message: { ready?: boolean; id?: number; reply?: Reply }) => {
        if (message.ready) resolve();
        else this.waiting.get(message.id!)?.(message.reply!);
      });
    });
    this.exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  }

  static start(workspace: string): HostProcess {
    const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, MDLAB_WORKSPACE: workspace }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new HostProcess(child);
  }

  request(name: string, params: unknown): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ id, name, params });
    });
  }

  async call<T>(name: string, params: unknown): Promise<T> {
    const reply = await this.request(name, params);
    if (!reply.ok) throw new Error(`${name}: ${reply.error?.message}`);
    return reply.result as T;
  }
}

interface MemberSnap {
  writtenBytes: number;
}

const workspaces: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const w of workspaces.splice(0)) fs.rmSync(w, { recursive: true, force: true });
});

function sameSector(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

describe('the engine host killed with SIGKILL during writes', () => {
  it.each([
    { bitmap: 'internal' as const, memberBytes: 200 * MiB },
    { bitmap: 'none' as const, memberBytes: 48 * MiB },
  ])('leaves an unclean array that resyncs ($bitmap bitmap) with every acknowledged write intact', async ({ bitmap, memberBytes }) => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-crash-'));
    workspaces.push(workspace);
    const host = HostProcess.start(workspace);
    children.push(host.child);
    await host.ready;
    const choices = { level: 5, raidDevices: 4, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes, bitmap, assumeClean: true, metadata: '1.2', name: 'crash' };
    await host.call('array.create', { id: 'crash', choices });
    // mdadm --create sets every bitmap bit; md's bitmap daemon clears them after a few idle periods. Only
    // then does the bitmap say "these chunks were being written" and nothing more.
    for (;;) {
      const snap = (await host.call<{ snapshot: { bitmap: { dirtyBits: number } | null } }>('array.snapshot', {})).snapshot;
      if (snap.bitmap === null || snap.bitmap.dirtyBits === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Acknowledged: the host answered, so md completed every bio of it.
    const ackedBytes = 12 * MiB;
    await host.call('array.pattern', { op: 'write', lengthBytes: ackedBytes });
    const writtenAfterAck = (await host.call<{ snapshot: { members: MemberSnap[] } }>('array.snapshot', {})).snapshot.members.reduce((s, m) => s + m.writtenBytes, 0);

    // Interrupted: a longer pattern write from the start again, killed once it is a few MiB past the
    // acknowledged range (it first rewrites that range with the same bytes).
    const interruptedBytes = 96 * MiB;
    let interruptedReplied = false;
    void host.request('array.pattern', { op: 'write', lengthBytes: interruptedBytes }).then(() => (interruptedReplied = true));
    for (;;) {
      const snap = (await host.call<{ snapshot: { members: MemberSnap[] } }>('array.snapshot', {})).snapshot;
      if (snap.members.reduce((s, m) => s + m.writtenBytes, 0) > 2 * writtenAfterAck + 6 * MiB) break;
    }
    host.child.kill('SIGKILL');
    expect(await host.exited).toBe('SIGKILL');
    expect(interruptedReplied).toBe(false);

    const dir = path.join(workspace, 'crash');
    // The lab array is a session: its journal (synced before each reply) holds the acknowledged write.
    const session = inspectSession(dir);
    const steps = session.journal.entries.flatMap((e) => (e.type === 'step' ? [e.step] : []));
    expect(steps).toContainEqual({ write: { pattern: 'lba', tag: LAB_PATTERN_TAG, offset: 0, length: ackedBytes } });
    expect(session.journal.entries.some((e) => e.type === 'close')).toBe(false);
    const images = fs.readdirSync(dir).filter((f) => f.endsWith('.img')).sort().map((f) => path.join(dir, f));
    const array = MdArray.assemble(images, { clock: new VirtualClock() });
    const m = array.mddev;
    expect(m.recoveryCp).not.toBe(MAX_SECTOR_NUM); // unclean: md must resync before trusting parity
    expect(array.snapshot().degraded).toBe(0);
    array.waitIdleSync();
    expect(m.lastSyncAction).toBe('resync');
    expect(m.recoveryCp).toBe(MAX_SECTOR_NUM);
    const resyncReadBytes = m.rdevs.reduce((s, r) => s + r.readBytes, 0);
    const componentBytes = m.devSectors * 512 * m.raidDisks;
    if (bitmap === 'internal') expect(resyncReadBytes).toBeLessThan(componentBytes / 2); // only the dirty 64 MiB chunk(s) of 3
    else expect(resyncReadBytes).toBe(componentBytes);

    const checkedBytes = interruptedBytes + 4 * MiB;
    const actual = array.readSync(0, checkedBytes);
    const expected = lbaPatternBytes(LAB_PATTERN_TAG, 0, checkedBytes);
    expect(sameSector(actual.subarray(0, ackedBytes), expected.subarray(0, ackedBytes))).toBe(true);
    let newSectors = 0;
    const zero = new Uint8Array(512);
    for (let at = ackedBytes; at < checkedBytes; at += 512) {
      const got = actual.subarray(at, at + 512);
      if (sameSector(got, expected.subarray(at, at + 512))) newSectors++;
      else expect(sameSector(got, zero), `sector ${at / 512} is neither old nor new`).toBe(true);
    }
    expect(newSectors).toBeGreaterThan(0);
    expect(newSectors).toBeLessThan((interruptedBytes - ackedBytes) / 512);

    array.setSyncAction('check');
    array.waitIdleSync();
    expect(array.snapshot().mismatchCnt).toBe(0);
    array.stop();
  }, 120_000);
});
