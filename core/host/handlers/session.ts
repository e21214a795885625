/**
 * Saved sessions, replay and guided labs (issue #7), folder-level: each request opens what it names,
 * read-only, and lets go before answering. Refusals are SessionError's one sentence, passed through.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { NO_DIALOG, type LiveSessionInfo } from '../../api';
import { BUILTIN_LABS, findLab, type Lab } from '../../labs';
import { runLab } from '../../labs/run-lab';
import { describeStep } from '../../report/html';
import { sessionReportHtml } from '../../report/session-report';
import { SessionError } from '../../session/errors';
import { inspectSession } from '../../session/inspect';
import { RecentSessions } from '../../session/recent';
import { ReplayCursor } from '../../session/replay';
import { exportScenario } from '../../session/scenario-io';
import { labState } from '../lab/lab';
import { createOptionsOf } from './layout';
import type { HandlerTable } from './types';

/** Where Recent lives: Electron main points MDLAB_RECENT_FILE into userData; the CLI and tests pick their own. */
function recentFile(): string {
  return process.env.MDLAB_RECENT_FILE ?? path.join(os.homedir(), '.config', 'mdlab', 'recent.json');
}

/** A live session that was opened, made or saved: first in Recent. */
function remembered<T extends { session: LiveSessionInfo }>(opened: T): T {
  new RecentSessions(recentFile()).touch(opened.session.folder, opened.session.name);
  return opened;
}

function builtinLab(name: string): Lab {
  const lab = findLab(name);
  if (!lab) throw new SessionError('NOT_A_SESSION', `There is no built-in lab called "${name}".`);
  return lab;
}

export const sessionHandlers: HandlerTable = {
  'labs.list': () => ({ labs: BUILTIN_LABS.map((lab) => ({ name: lab.name, title: lab.title, summary: lab.summary, steps: lab.steps })) }),
  'labs.run': ({ name }) => {
    const r = runLab(builtinLab(name));
    return { lab: r.lab, ok: r.ok, steps: r.steps.map((s) => ({ id: s.id, verdict: s.verdict, detail: s.detail })) };
  },
  'labs.start': async ({ name, place }, { emit }) => remembered(await labState(emit).startGuided(place, builtinLab(name))),
  'labs.state': (_params, { emit }) => ({ lab: labState(emit).guidedState() }),
  'labs.doStep': async (_params, { emit }) => ({ lab: await labState(emit).doGuidedStep() }),
  'session.inspect': ({ folder }) => {
    const found = inspectSession(folder);
    new RecentSessions(recentFile()).touch(found.folder, found.manifest.name);
    return {
      folder: found.folder,
      name: found.manifest.name,
      createdAt: found.manifest.createdAt,
      arrayUuid: found.manifest.arrayUuid,
      members: found.manifest.members.map((m) => m.image),
      steps: found.journal.entries.filter((e) => e.type === 'step').length,
      messages: found.messages,
    };
  },
  'session.replay': ({ folder, position }) => {
    const cursor = ReplayCursor.open(folder);
    try {
      const s = cursor.seek(position);
      return { position: s.position, length: s.length, snapshot: s.snapshot, last: s.last?.type === 'step' ? describeStep(s.last.step) : (s.last?.type ?? null), failure: s.failure };
    } finally {
      cursor.dispose();
    }
  },
  'session.exportScenario': ({ folder }) => ({ yaml: exportScenario(folder) }),
  'session.report': ({ folder }) => ({ html: sessionReportHtml(folder) }),
  'session.recent': () => ({ sessions: new RecentSessions(recentFile()).prune() }),
  'session.list': (_params, { emit }) => {
    const lab = labState(emit);
    return { sessions: lab.workspace.sessions(lab.openId) };
  },
  'session.new': async ({ place, name, choices, seed }, { emit }) => remembered(await labState(emit).newSession(place, name, createOptionsOf(choices), seed)),
  'session.open': async ({ place, force }, { emit }) => remembered(await labState(emit).openSession(place, force)),
  'session.importScenario': async ({ place, yaml, source }, { emit }) => remembered(await labState(emit).importSession(place, yaml, source)),
  'session.saveAs': async ({ place }, { emit }) => remembered(await labState(emit).saveAs(place)),
  'session.close': (_params, { emit }) => labState(emit).close(),
  'session.current': (_params, { emit }) => ({ session: labState(emit).info() }),
  'session.getNotes': (_params, { emit }) => ({ text: labState(emit).readNotes() }),
  'session.setNotes': ({ text }, { emit }) => ({ chars: labState(emit).writeNotes(text) }),
  // Only Electron main has a window to hang a dialog on; it answers this request before it reaches a host.
  'dialog.chooseFolder': () => {
    throw Object.assign(new Error('This mdlab has no native dialogs (browser lab): choose a session of the workspace by name.'), { code: NO_DIALOG });
  },
};
