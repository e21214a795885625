import { assembleImages, detailFacts, renderDetail } from '../../md/detail';
import { closeMembers } from '../../md/member';
import { jsonText, requireImages, type Verb, writeOut } from '../command';

export const detailVerb: Verb = {
  name: 'detail',
  summary: 'assemble member images read-only and print the array as mdadm --detail',
  help: [
    'Usage: mdlab detail [--run] [--json] IMAGE...',
    '',
    'Decides the assembly as mdadm --assemble would (members of the first image\'s array, freshest',
    'by events, stale members left out) and prints what mdadm --detail shows right after it, before',
    'any resync or recovery runs, followed by the images left out and why. Nothing is written.',
    '',
    '  --run    start even if members the superblocks expect are missing (degraded)',
    '  --json   print the facts as JSON',
    '',
    'Exit status: 1 when md would refuse to start the array.',
  ].join('\n'),
  options: { run: { type: 'boolean', short: 'R' }, json: { type: 'boolean' } },
  async run({ values, positionals, io }) {
    const assembled = assembleImages(requireImages(positionals, 'detail'), { run: values.run === true });
    try {
      const d = assembled.decision;
      if (!d.start) {
        for (const m of d.messages) io.stderr.write(`${m}\n`);
        return 1;
      }
      const facts = detailFacts(assembled);
      await writeOut(io.stdout, values.json ? jsonText(facts) : `${renderDetail(facts)}\n`);
      return 0;
    } finally {
      closeMembers(assembled.members);
    }
  },
};
