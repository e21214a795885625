import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ArraySnapshotSchema, checkRequest, EngineEventSchema, ErrorCode, isRequestName, requestNames, requests,
  type ArraySnapshot,
} from '../../core/api';

/** A 4-disk RAID5 mid-recovery, the way the engine reports one (values as /proc/mdstat would show). */
const snapshot: ArraySnapshot = {
  name: 'md0',
  uuid: '3f2a9c1e:5b7d4e60:8a1c2b3d:4e5f6071',
  level: 5,
  layout: 'left-symmetric',
  chunkKib: 512,
  raidDisks: 4,
  arraySizeKib: 3 * 1024 * 1024 * 1024 * 4,
  componentSizeKib: 1024 * 1024 * 1024 * 4,
  events: 42,
  arrayState: 'clean',
  syncAction: 'recover',
  lastSyncAction: 'recovery',
  syncCompleted: { doneSectors: 1_000_000, totalSectors: 8_589_934_592 },
  syncSpeedKibPerSec: 180_000,
  degraded: 1,
  mismatchCnt: 0,
  speedLimitMinKibPerSec: 1000,
  speedLimitMaxKibPerSec: 200_000,
  syncMin: 0,
  syncMax: null,
  stripeCacheSize: 256,
  stripeCacheActive: 17,
  bitmap: null,
  members: [0, 1, 2, 3].map((index) => ({
    index,
    image: `disk${index}.img`,
    devNumber: index,
    slot: index,
    state: index === 2 ? ['spare' as const] : ['in_sync' as const],
    errors: 0,
    recoveryStart: index === 2 ? 1_000_000 : null,
    badBlocks: [],
    readBytes: 1 << 30,
    writtenBytes: index === 2 ? 1 << 29 : 0,
  })),
  mdstatText: 'md0 : active raid5 disk3.img[3] disk2.img[4] disk1.img[1] disk0.img[0]\n',
};

/** Throws when a schema holds something JSON cannot carry (bigint, Date, Map, undefined...). */
function assertJsonSafe(schema: z.ZodType, what: string): void {
  try {
    z.toJSONSchema(schema, { io: 'input' });
  } catch (error) {
    throw new Error(`${what} cannot travel as JSON over the lab host's WebSocket: ${(error as Error).message}`);
  }
}

describe('the contract', () => {
  it('can carry every request, result and event as JSON, as the lab host WebSocket needs', () => {
    for (const name of requestNames) {
      assertJsonSafe(requests[name].params, `${name} params`);
      assertJsonSafe(requests[name].result, `${name} result`);
    }
    assertJsonSafe(EngineEventSchema, 'the event union');
    expect(() => assertJsonSafe(z.object({ events: z.bigint() }), 'a bigint counter')).toThrow(/bigint counter cannot travel/i);
  });

  it('derives the request names from the table, one dotted area.verb each', () => {
    expect([...requestNames].sort()).toEqual(Object.keys(requests).sort());
    for (const name of requestNames) expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
    expect(isRequestName('engine.info')).toBe(true);
    expect(isRequestName('toString')).toBe(false);
    expect(isRequestName('__proto__')).toBe(false);
  });

  it('accepts a realistic ArraySnapshot unchanged through JSON and refuses impossible values', () => {
    const travelled = JSON.parse(JSON.stringify(snapshot));
    expect(ArraySnapshotSchema.parse(travelled)).toEqual(snapshot);
    expect(ArraySnapshotSchema.safeParse({ ...snapshot, events: 42n }).success).toBe(false);
    expect(ArraySnapshotSchema.safeParse({ ...snapshot, chunkKib: -1 }).success).toBe(false);
    expect(ArraySnapshotSchema.safeParse({ ...snapshot, arrayState: 'degraded' }).success).toBe(false);
    expect(ArraySnapshotSchema.safeParse({ ...snapshot, members: [{ ...snapshot.members[0], state: ['online'] }] }).success).toBe(false);
  });

  it('answers an unknown name or bad params with a code and one readable sentence', () => {
    const unknown = checkRequest('x'.repeat(500), {});
    expect(unknown).toMatchObject({ ok: false, error: { code: ErrorCode.UNKNOWN_REQUEST } });
    if (!unknown.ok) expect(unknown.error.message.length).toBeLessThan(120);
    const bad = checkRequest('engine.ping', { nonce: 7 });
    expect(bad).toMatchObject({ ok: false, error: { code: ErrorCode.BAD_PARAMS, message: expect.stringContaining('nonce') } });
    expect(checkRequest('engine.ping', { nonce: 'n' })).toEqual({ ok: true, name: 'engine.ping', params: { nonce: 'n' } });
  });
});
