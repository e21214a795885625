import type { FaultsReply } from '../../api';
import type { PowerCuttable } from '../lab/engine-array';
import { labState } from '../lab/lab';
import type { LabArray } from '../lab/session';
import { clearStepOf, injectStepOf } from '../lab/fault-step';
import { manageStep, speedLimitsStep, syncActionStep } from '../lab/journal-steps';
import { hexView, sectorMap } from '../lab/open-array';
import { createOptionsOf } from './layout';
import type { HandlerTable } from './types';

/** The faults reply: each member's fault layer, and the power cuts on the timeline. */
function faultsOf(array: LabArray): FaultsReply {
  const power = 'power' in array ? (array as LabArray & PowerCuttable).power() : { pending: [], fired: [] };
  return { members: array.faults(), power };
}

/** The open array: create, open, manage, sync control, stripe map, hex view, the lba pattern. */
export const arrayHandlers: HandlerTable = {
  'array.create': async ({ id, choices }, { emit }) => {
    const lab = labState(emit);
    const opened = await lab.create(id, createOptionsOf(choices));
    emit({ type: 'log', level: 'info', timeMs: Date.now(), message: `mdadm --create ${id}: raid${choices.level}, ${choices.raidDevices} devices, ${choices.spareDevices} spares` });
    return opened;
  },
  'array.list': (_params, { emit }) => {
    const lab = labState(emit);
    return { arrays: lab.workspace.list(lab.openId) };
  },
  'array.open': ({ id }, { emit }) => labState(emit).open(id),
  'array.close': async (_params, { emit }) => ({ closed: (await labState(emit).close()).closed }),
  'array.crash': (_params, { emit }) => labState(emit).crashAndRestart(),
  'array.powerCut': (params, { emit }) => labState(emit).powerCut(params),
  'array.snapshot': (_params, { emit }) => {
    const lab = labState(emit);
    return { snapshot: lab.openId === null ? null : lab.current().session.array.snapshot() };
  },
  'array.images': (_params, { emit }) => {
    const lab = labState(emit);
    return { images: lab.openId === null ? [] : lab.usage() };
  },
  'array.manage': ({ action, member }, { emit }) => {
    const lab = labState(emit);
    const { session } = lab.current();
    lab.act(manageStep(action, member), () => session.array.manage(action, member));
    return session.poke();
  },
  'array.syncAction': ({ action }, { emit }) => {
    const lab = labState(emit);
    const { session } = lab.current();
    lab.act(syncActionStep(action), () => session.array.setSyncAction(action));
    return session.poke();
  },
  'array.speedLimits': ({ minKibPerSec, maxKibPerSec }, { emit }) => {
    const lab = labState(emit);
    const { session } = lab.current();
    lab.act(speedLimitsStep(minKibPerSec, maxKibPerSec), () => session.array.setSpeedLimits(minKibPerSec, maxKibPerSec));
    return session.poke();
  },
  'array.map': ({ arraySector }, { emit }) => sectorMap(labState(emit).current().geometry, arraySector),
  'array.hex': ({ offsetBytes, lengthBytes }, { emit }) => {
    const { session, geometry } = labState(emit).current();
    return hexView(geometry, session.array, offsetBytes, lengthBytes);
  },
  'array.faults': (_params, { emit }) => faultsOf(labState(emit).current().session.array),
  'array.inject': ({ member, fault, when }, { emit }) => {
    const lab = labState(emit);
    const { session } = lab.current();
    lab.act(injectStepOf(member, fault, when), () => session.array.inject(member, fault, when));
    session.poke();
    const reply = faultsOf(session.array);
    const members = reply.members;
    const mine = members.find((m) => m.image === `disk${member}.img`);
    const what = when === undefined ? mine?.faults.at(-1)?.text : `${mine?.pending.at(-1)?.action}, scheduled ${mine?.pending.at(-1)?.trigger}`;
    emit({ type: 'log', level: 'warn', timeMs: Date.now(), message: `fault layer: disk${member}.img ${what ?? fault.kind}` });
    return reply;
  },
  'array.clearFault': ({ member, id, pending }, { emit }) => {
    const lab = labState(emit);
    const { session } = lab.current();
    lab.act(clearStepOf(member, id, pending), () => session.array.clearFault(member, id, pending));
    session.poke();
    return faultsOf(session.array);
  },
  'array.pattern': ({ op, lengthBytes }, { emit }) => labState(emit).pattern(op, lengthBytes),
};
