import * as path from 'node:path';
import { parseLayout } from '../../format/layout';
import { createArray, type CreateOptions } from '../../md/create';
import { MdRefusal } from '../../md/errors';
import { GiB, KiB, parseSizeBytes } from '../../util/units';
import { jsonText, stringOption, UsageError, type Verb, writeOut } from '../command';

function integerOption(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a whole number, got "${text}".`);
  return Number(text);
}

export const createVerb: Verb = {
  name: 'create',
  summary: 'make sparse member images of a new RAID4/5 array, as mdadm --create would write them',
  help: [
    'Usage: mdlab create DIR --level 5|4 --raid-devices N [options]',
    '',
    'Makes DIR/disk0.img ... as sparse files carrying md 1.2 superblocks with the values mdadm 4.2',
    'chooses: data offset, bitmap and bad-block log placement, and for RAID4/5 the "spare trick"',
    '(the last member starts as a spare that md rebuilds). Without --assume-clean or --force the',
    'array needs that initial rebuild (or, with --force, a full resync) before it is redundant.',
    '',
    '  -l, --level 4|5            RAID level',
    '  -n, --raid-devices N       members holding data and parity (2 or more)',
    '  -x, --spare-devices K      extra hot spares (default 0)',
    '  -p, --layout L             RAID5 layout: left-symmetric (default), right-symmetric,',
    '                             left-asymmetric, right-asymmetric, parity-first, parity-last',
    '  -c, --chunk SIZE           chunk size, KiB unless suffixed (default 512K)',
    '  -z, --size SIZE            size of each member image, e.g. 8M, 1G, 1T (default 1G)',
    '  -b, --bitmap internal|none internal write-intent bitmap (default: internal above 100 GiB)',
    '      --assume-clean         mark the array in sync: no initial rebuild',
    '  -f, --force                no spare trick: all members active, full parity resync needed',
    '  -N, --name NAME            array name (default "0"); stored as HOMEHOST:NAME',
    '      --homehost H           default: this machine\'s host name; "<none>" for none',
    '  -e, --metadata 1.2         superblock version (only 1.2)',
    '      --no-sync              only write the superblocks, as mdadm leaves them before md starts',
    '                             the array; the rebuild/resync then runs at the next assembly',
    '      --json                 print what was created as JSON (implies --no-sync)',
  ].join('\n'),
  options: {
    level: { type: 'string', short: 'l' },
    'raid-devices': { type: 'string', short: 'n' },
    'spare-devices': { type: 'string', short: 'x' },
    layout: { type: 'string', short: 'p' },
    chunk: { type: 'string', short: 'c' },
    size: { type: 'string', short: 'z' },
    bitmap: { type: 'string', short: 'b' },
    'assume-clean': { type: 'boolean' },
    force: { type: 'boolean', short: 'f' },
    name: { type: 'string', short: 'N' },
    homehost: { type: 'string' },
    metadata: { type: 'string', short: 'e' },
    json: { type: 'boolean' },
    'no-sync': { type: 'boolean' },
  },
  async run({ values, positionals, io }) {
    if (positionals.length !== 1) throw new UsageError('create needs exactly one DIR for the member images.');
    const dir = positionals[0];
    const levelText = stringOption(values, 'level');
    if (levelText === undefined) throw new UsageError('--level is required (4 or 5).');
    const level = levelText.replace(/^raid/, '');
    if (level !== '4' && level !== '5') throw new MdRefusal(`RAID level ${levelText} is not supported: mdlab models md's raid4 and raid5.`);
    const raidDevices = integerOption(stringOption(values, 'raid-devices'), '--raid-devices');
    if (raidDevices === undefined) throw new UsageError('--raid-devices is required.');
    const chunkText = stringOption(values, 'chunk');
    const chunkBytes = chunkText === undefined ? undefined : parseSizeBytes(chunkText);
    if (chunkBytes === null) throw new UsageError(`--chunk "${chunkText}" is not a size.`);
    const sizeText = stringOption(values, 'size');
    const memberBytes = sizeText === undefined ? GiB : parseSizeBytes(sizeText);
    if (memberBytes === null) throw new UsageError(`--size "${sizeText}" is not a size.`);
    const bitmap = stringOption(values, 'bitmap');
    if (bitmap !== undefined && bitmap !== 'internal' && bitmap !== 'none') throw new UsageError('--bitmap takes internal or none.');
    const metadata = stringOption(values, 'metadata');
    const layoutText = stringOption(values, 'layout');

    const options: CreateOptions = {
      level: level === '4' ? 4 : 5,
      raidDevices,
      spareDevices: integerOption(stringOption(values, 'spare-devices'), '--spare-devices') ?? 0,
      layout: layoutText === undefined ? undefined : level === '4' ? -1 : parseLayout(layoutText),
      chunkKib: chunkBytes === undefined ? undefined : chunkBytes / KiB,
      memberBytes,
      bitmap: bitmap as CreateOptions['bitmap'],
      assumeClean: values['assume-clean'] === true,
      force: values.force === true,
      name: stringOption(values, 'name'),
      homehost: stringOption(values, 'homehost'),
      metadata: metadata as CreateOptions['metadata'],
    };
    const { plan, paths } = createArray(dir, options);
    const sb = plan.superblocks[0];
    const summary = {
      dir: path.resolve(dir),
      images: paths.map((p) => path.basename(p)),
      memberBytes: plan.memberBytes,
      dataOffsetSectors: plan.dataOffsetSectors,
      componentSectors: plan.componentSectors,
      arraySizeKib: (plan.componentSectors / 2) * (options.raidDevices - 1),
      bitmap: plan.bitmap ? { chunkBytes: plan.bitmap.super.chunksize } : null,
      spareTrickImage: plan.spareTrickImage >= 0 ? path.basename(paths[plan.spareTrickImage]) : null,
      needsResync: sb.resyncOffset === 0n,
      name: sb.setName,
    };
    if (values.json) {
      await writeOut(io.stdout, jsonText(summary));
    } else {
      const next = summary.spareTrickImage
        ? `; md will rebuild ${summary.spareTrickImage} into slot ${options.raidDevices - 1}`
        : summary.needsResync
          ? '; md will resync parity'
          : '';
      await writeOut(io.stdout, `mdlab: created ${summary.images.length} members in ${dir} (array ${summary.arraySizeKib} KiB${next}).\n`);
    }
    // As md does once mdadm --create starts the array: the initial recovery/resync, shown as mdstat shows it.
    if (!options.assumeClean && (summary.spareTrickImage !== null || summary.needsResync) && !values.json && !values['no-sync']) {
      // The engine loads only when there is a sync to run; a metadata-only create starts fast.
      const { runInitialSync } = await import('./sync-progress');
      await runInitialSync(paths, io);
    }
    return 0;
  },
};
