/** What a live engine needs of the timeline: members attached as opened, fired steps, time wake-ups, halting at a cut. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultyDevice } from '../../core/faults/faulty-device';
import { ImageFaultLayer } from '../../core/faults/image-faults';
import { PowerCutDomain, PowerCutHalt } from '../../core/faults/power-cut';
import { FaultError } from '../../core/faults/spec';
import { FaultTimeline, describeAction } from '../../core/faults/timeline';
import { describeScheduledTrigger } from '../../core/faults/trigger-text';
import { DeviceError, FileBlockDevice, MemBlockDevice } from '../../core/format/blockdev';
import { tempDir, VirtualClock } from './helpers';

const MEMBER_BYTES = 64 * 512;

function device(clock: VirtualClock, name: string): FaultyDevice {
  return new FaultyDevice(new MemBlockDevice(name, MEMBER_BYTES), { clock: clock.read, reopen: () => new MemBlockDevice(name, MEMBER_BYTES) });
}

describe('the timeline in a live engine', () => {
  it('takes members as they are opened, and refuses steps on a member it does not have', () => {
    const clock = new VirtualClock();
    const timeline = new FaultTimeline({ seed: 1, clock: clock.read, members: [] });
    expect(() => timeline.apply({ op: 'inject', member: 2, spec: { kind: 'fail' } })).toThrow(FaultError);
    const dev = device(clock, 'disk2.img');
    timeline.attach(2, dev);
    timeline.apply({ op: 'inject', member: 2, spec: { kind: 'fail' } });
    expect(() => dev.read(new Uint8Array(512), 0)).toThrow(DeviceError);
    expect(() => timeline.attach(2, device(clock, 'again'))).toThrow(/attached once/);
  });

  it('lists what fired, with its trigger, and what was refused when it fired', () => {
    const clock = new VirtualClock();
    const dev = device(clock, 'disk0.img');
    const timeline = new FaultTimeline({ seed: 1, clock: clock.read, members: [dev] });
    timeline.schedule({ op: 'inject', member: 0, spec: { kind: 'write-error', range: { startSector: 0, lengthSectors: 8 } } }, { kind: 'after', ms: 100 });
    timeline.schedule({ op: 'clear', member: 0, faultId: 7 }, { kind: 'at', timeMs: 150 });
    expect(timeline.nextDueMs()).toBe(100);
    clock.nowMs = 99;
    timeline.poll();
    expect(timeline.fired()).toEqual([]);
    clock.nowMs = 200;
    timeline.poll();
    expect(timeline.nextDueMs()).toBeNull();
    expect(timeline.fired().map((s) => [s.id, describeScheduledTrigger(s.trigger), describeAction(s.action), s.timeMs, s.refused])).toEqual([
      [1, 'after 100 ms', 'writes to sectors 0–7 fail (dm-error)', 200, null],
      [2, 'at 150 ms', 'clear fault #7', 200, 'disk0.img has no fault #7.'],
    ]);
  });

  it('with haltOnPowerCut, a scheduled cut stops the I/O that met it: nothing after the cut reaches a disk', () => {
    const clock = new VirtualClock();
    const devs = [device(clock, 'disk0.img'), device(clock, 'disk1.img')];
    const powerCut = new PowerCutDomain({ seed: 3, members: devs });
    const timeline = new FaultTimeline({ seed: 3, clock: clock.read, members: devs, powerCut, haltOnPowerCut: true });
    timeline.schedule({ op: 'power-cut', survivalProbability: 0 }, { kind: 'nth-write', member: 1, n: 2 });
    const token = powerCut.submit(0, 0, 512);
    devs[0].write(new Uint8Array(512).fill(9), 0);
    devs[1].write(new Uint8Array(512).fill(1), 0);
    let halted: unknown = null;
    try {
      devs[1].write(new Uint8Array(512).fill(2), 512);
    } catch (err) {
      halted = err;
    }
    expect(halted).toBeInstanceOf(PowerCutHalt);
    expect((halted as PowerCutHalt).report.writes).toMatchObject([{ token, member: 0, outcome: 'dropped' }]);
    const image = new Uint8Array(512);
    devs[0].inner.read(image, 0);
    expect(image.every((b) => b === 0)).toBe(true);
    devs[1].inner.read(image, 512);
    expect(image.every((b) => b === 0)).toBe(true);
  });
});

describe('ImageFaultLayer: one device per image for the life of the array', () => {
  it('hands md the same device when it reopens an image it closed, with its faults still under it', () => {
    const clock = new VirtualClock();
    const opened: string[] = [];
    const layer = new ImageFaultLayer({
      seed: 1,
      clock: clock.read,
      open: (p) => {
        opened.push(p);
        return new MemBlockDevice(p, MEMBER_BYTES);
      },
      memberOf: (p) => Number(/disk(\d+)/.exec(p)![1]),
    });
    const dev = layer.openDevice('/a/disk1.img');
    layer.timeline.apply({ op: 'inject', member: 1, spec: { kind: 'read-error', range: { startSector: 4, lengthSectors: 1 } } });
    dev.close();
    expect(layer.openDevice('/a/disk1.img')).toBe(dev);
    expect(opened).toEqual(['/a/disk1.img', '/a/disk1.img']);
    expect(() => dev.read(new Uint8Array(512), 4 * 512)).toThrow(/read error at sector 4/);
    expect(layer.members()).toEqual([1]);
    expect(() => layer.device(0)).toThrow(FaultError);
  });

  it('flips bit rot into an image md has closed (a removed member still rots)', () => {
    const clock = new VirtualClock();
    const dir = tempDir('image-faults');
    try {
      const file = path.join(dir, 'disk0.img');
      FileBlockDevice.create(file, MEMBER_BYTES).close();
      const layer = new ImageFaultLayer({ seed: 1, clock: clock.read, open: (p) => FileBlockDevice.open(p), memberOf: () => 0 });
      layer.openDevice(file).close();
      layer.timeline.apply({ op: 'inject', member: 0, spec: { kind: 'bitrot', placement: { by: 'chosen', flips: [{ offsetBytes: 10, bit: 3 }] } } });
      expect(fs.readFileSync(file)[10]).toBe(8);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
