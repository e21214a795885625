import { MdArray } from '../../engine/array';
import { FileBlockDevice } from '../../format/blockdev';
import { jsonText, requireImages, type Verb, writeOut } from '../command';

export const mdstatVerb: Verb = {
  name: 'mdstat',
  summary: 'show the member images as /proc/mdstat would right after md assembled them',
  help: [
    'Usage: mdlab mdstat IMAGE... [--json]',
    '',
    'Assembles the images read-only (nothing is written, no sync runs) and prints /proc/mdstat as',
    'the kernel shows an array started with start_ro: "(auto-read-only)", and "resync=PENDING" when',
    'the array was not shut down cleanly.',
    '',
    '      --json     print the engine snapshot (mdstat text, sysfs fields, members) as JSON',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run({ values, positionals, io }) {
    const images = requireImages(positionals, 'mdstat');
    const array = MdArray.assemble(images, {
      run: true,
      readOnly: true,
      openDevice: (p) => FileBlockDevice.open(p, { readOnly: true }),
    });
    try {
      await writeOut(io.stdout, values.json ? jsonText(array.snapshot()) : array.mdstat());
    } finally {
      array.close();
    }
    return 0;
  },
};
