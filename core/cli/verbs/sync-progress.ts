/**
 * Runs an array's sync in the foreground with mdstat's progress line: on a terminal one line redrawn
 * in place, otherwise a line per 10 %. Used by `mdlab create` for the initial resync/recovery.
 */
import { MdArray } from '../../engine/array';
import { statusResync } from '../../engine/md/mdstat';
import { writeOut, type CliIo } from '../command';

const REDRAW_MS = 100;

export async function runSyncWithProgress(array: MdArray, io: CliIo): Promise<void> {
  const tty = (io.stdout as NodeJS.WriteStream).isTTY === true;
  let lastDraw = -Infinity;
  let lastTenth = -1;
  let drawn = false;
  await array.runUntil(() => {
    const line = statusResync(array.mddev);
    const now = array.clock.nowMs();
    if (line !== null) {
      const tenth = Math.floor((array.mddev.currResync / Math.max(1, array.mddev.devSectors)) * 10);
      if (tty && now - lastDraw >= REDRAW_MS) {
        lastDraw = now;
        io.stdout.write(`\r${line.trim()}\x1b[K`);
        drawn = true;
      } else if (!tty && tenth !== lastTenth) {
        lastTenth = tenth;
        io.stdout.write(`${line.trim()}\n`);
      }
    }
    return array.idle();
  });
  if (drawn) io.stdout.write('\n');
  const s = array.snapshot();
  await writeOut(io.stdout, `mdlab: ${s.lastSyncAction} finished: ${s.mdstatText.split('\n')[1].trim()}\n`);
}

/** The initial sync md starts after create (spare-trick recovery or parity resync), then a clean stop. */
export async function runInitialSync(imagePaths: readonly string[], io: CliIo): Promise<void> {
  const array = MdArray.assemble(imagePaths, { run: true });
  try {
    await runSyncWithProgress(array, io);
  } finally {
    array.stop();
  }
}
