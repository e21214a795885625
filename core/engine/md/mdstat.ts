/**
 * /proc/mdstat as md_seq_show, status_resync and md_bitmap_status print it (md-spec §5.1), byte for
 * byte: the golden arrays' mdstat texts are the reference.
 */
import type { Mddev } from './mddev';
import { MAX_SECTOR_NUM } from './rdev';

/** raid456 registers these three together. */
export const MDSTAT_PERSONALITIES = 'Personalities : [raid6] [raid5] [raid4] ';

export function mdstatText(stanzas: readonly string[]): string {
  return `${MDSTAT_PERSONALITIES}\n${stanzas.join('')}unused devices: <none>\n`;
}

/** One array's block: header, blocks line, optional progress, bitmap line, blank line. */
export function mdstatStanza(m: Mddev): string {
  const active = !m.stopped;
  let text = `${m.name} : ${active ? '' : 'in'}active`;
  if (m.readOnly) text += ' (auto-read-only)';
  text += ` raid${m.level}`;
  const members = [...m.rdevs].sort((a, b) => b.bindSeq - a.bindSeq);
  for (const rdev of members) {
    text += ` ${rdev.name}[${rdev.devNumber}]`;
    if (rdev.flags.has('WriteMostly')) text += '(W)';
    if (rdev.faulty) {
      text += '(F)';
      continue;
    }
    if (rdev.raidDisk < 0) text += '(S)';
    if (rdev.flags.has('Replacement')) text += '(R)';
  }
  const arrayKib = (m.devSectors / 2) * (m.raidDisks - 1);
  text += `\n      ${arrayKib} blocks super 1.2`;
  text += ` level ${m.level}, ${m.chunkSectors / 2}k chunk, algorithm ${m.layout}`;
  text += ` [${m.raidDisks}/${m.raidDisks - m.degraded()}] [${slotMap(m)}]`;
  text += '\n      ';
  const progress = statusResync(m);
  if (progress !== null) text += `${progress}\n      `;
  if (m.bitmap !== null) {
    const b = m.bitmap;
    const allocated = b.allocatedPages();
    const chunkBytes = b.chunkSectors * 512;
    const chunk = chunkBytes >= 1024 ? `${chunkBytes / 1024}KB` : `${chunkBytes}B`;
    text += `bitmap: ${allocated}/${b.totalPages()} pages [${allocated * 4}KB], ${chunk} chunk\n`;
  }
  return `${text}\n`;
}

function slotMap(m: Mddev): string {
  let map = '';
  for (let slot = 0; slot < m.raidDisks; slot++) {
    map += m.rdevs.some((r) => r.raidDisk === slot && r.inSync && !r.faulty) ? 'U' : '_';
  }
  return map;
}

/** md's "started, nothing done yet" value of curr_resync (MD_RESYNC_ACTIVE). */
const RESYNC_ACTIVE = 3;

/** The sync line of status_resync, or null when md prints nothing. */
export function statusResync(m: Mddev): string | null {
  const thread = m.syncThread;
  if (thread === null || !m.recovery.has('RUNNING')) {
    return m.recoveryCp < MAX_SECTOR_NUM ? '\tresync=PENDING' : null;
  }
  const maxSectors = thread.maxSectors;
  let resync = m.recovery.has('DONE') ? maxSectors : Math.max(RESYNC_ACTIVE, m.currResync - m.recoveryActive);
  if (resync > maxSectors) resync = maxSectors;
  const perMilli = Math.floor((Math.floor(resync / 1024) * 1000) / (Math.floor(maxSectors / 1024) + 1));
  const bars = Math.floor(perMilli / 50);
  const op = m.recovery.has('CHECK') ? 'check' : m.recovery.has('SYNC') ? 'resync' : 'recovery';
  const pct = `${String(Math.floor(perMilli / 10)).padStart(3)}.${perMilli % 10}%`;
  const now = m.clock.nowMs();
  const dt = Math.max(1, Math.floor((now - thread.speed.resyncMarkMs) / 1000));
  const markedSectors = thread.ioSectors - (m.recoveryActive + thread.speed.resyncMarkSectors);
  const db = Math.max(0, markedSectors);
  let rt = maxSectors - resync;
  rt = Math.floor(rt / (Math.floor(db / 32) + 1));
  rt = Math.floor((rt * dt) / 32);
  const finish = `${Math.floor(rt / 60)}.${Math.floor((rt % 60) / 6)}min`;
  const speed = Math.floor(db / 2 / dt);
  return `[${'='.repeat(bars)}>${'.'.repeat(20 - bars)}]  ${op} =${pct} (${Math.floor(resync / 2)}/${Math.floor(maxSectors / 2)}) finish=${finish} speed=${speed}K/sec`;
}
