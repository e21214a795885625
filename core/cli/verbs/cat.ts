import { assembleImages, readerFor } from '../../md/detail';
import { MdRefusal } from '../../md/errors';
import { closeMembers } from '../../md/member';
import { parseSizeBytes } from '../../util/units';
import { requireImages, stringOption, UsageError, type Verb, writeOut } from '../command';

function byteOption(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const bytes = parseSizeBytes(text, 1);
  if (bytes === null) throw new UsageError(`${what} "${text}" is not a byte count.`);
  return bytes;
}

export const catVerb: Verb = {
  name: 'cat',
  summary: "stream the array's contents to stdout, rebuilding a missing member from parity",
  help: [
    'Usage: mdlab cat [--run] [--offset BYTES] [--length BYTES] IMAGE...',
    '',
    'Assembles the images read-only (as mdlab detail) and writes the array\'s bytes to stdout. When one',
    'member is missing or left out, its data is reconstructed as the XOR of the others and parity.',
    'BYTES may carry a K/M/G/T suffix; offset and length must be multiples of 512.',
    '',
    '  --run            read a degraded array even if members the superblocks expect are missing',
    '  --offset BYTES   start this far into the array (default 0)',
    '  --length BYTES   stop after this many bytes (default: to the end of the array)',
  ].join('\n'),
  options: { run: { type: 'boolean', short: 'R' }, offset: { type: 'string' }, length: { type: 'string' } },
  async run({ values, positionals, io }) {
    const offsetBytes = byteOption(stringOption(values, 'offset'), '--offset') ?? 0;
    const lengthOption = byteOption(stringOption(values, 'length'), '--length');
    if (offsetBytes % 512 !== 0 || (lengthOption ?? 0) % 512 !== 0) throw new UsageError('--offset and --length must be multiples of 512 bytes.');
    const assembled = assembleImages(requireImages(positionals, 'cat'), { run: values.run === true });
    try {
      const d = assembled.decision;
      if (!d.start) throw new MdRefusal(d.refusal ?? 'md would not start this array.');
      const reader = readerFor(assembled);
      if (offsetBytes > reader.sizeBytes) throw new UsageError(`--offset ${offsetBytes} is past the end of the array (${reader.sizeBytes} bytes).`);
      const endBytes = Math.min(reader.sizeBytes, offsetBytes + (lengthOption ?? reader.sizeBytes));
      const buffer = new Uint8Array(reader.rowsPerWindow * reader.rowBytes);
      for (let position = offsetBytes; position < endBytes; ) {
        const row = Math.floor(position / reader.rowBytes);
        const wholeRows = Math.min(reader.rowsPerWindow, Math.floor((endBytes - position) / reader.rowBytes));
        let chunk: Uint8Array;
        if (position % reader.rowBytes === 0 && wholeRows > 0) {
          // Whole rows: a degraded reader hands back its own window, saving a copy.
          chunk = reader.readWindow(row, wholeRows, buffer);
        } else {
          const n = Math.min(endBytes - position, (row + 1) * reader.rowBytes - position);
          chunk = buffer.subarray(0, n);
          reader.read(chunk, position);
        }
        // Wait for the write before the next read reuses the buffer.
        await writeOut(io.stdout, chunk);
        position += chunk.byteLength;
      }
      return 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0;
      throw err;
    } finally {
      closeMembers(assembled.members);
    }
  },
};
