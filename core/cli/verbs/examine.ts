import { examineBitmapFacts, examineFacts, renderExamine, renderExamineBitmap } from '../../md/examine';
import { closeMembers, openMember } from '../../md/member';
import { jsonText, requireImages, type Verb, writeOut } from '../command';

export const examineVerb: Verb = {
  name: 'examine',
  summary: "print the md superblock facts of member images, as mdadm --examine",
  help: [
    'Usage: mdlab examine [--json] [--bitmap] IMAGE...',
    '',
    'Prints what mdadm --examine prints for each member image: the array the superblock belongs to,',
    'its geometry, this member\'s role, events, checksum and data area.',
    '',
    '  --bitmap   print the internal write-intent bitmap instead, as mdadm --examine-bitmap',
    '  --json     print the facts as JSON (one array entry per image)',
    '',
    'Exit status: 0 when every image has a superblock, 1 otherwise.',
  ].join('\n'),
  options: { json: { type: 'boolean' }, bitmap: { type: 'boolean', short: 'X' } },
  async run({ values, positionals, io }) {
    const images = requireImages(positionals, 'examine');
    const texts: string[] = [];
    const facts: unknown[] = [];
    let status = 0;
    for (const image of images) {
      let member;
      try {
        member = openMember(image);
      } catch (err) {
        io.stderr.write(`mdlab examine: ${(err as Error).message}\n`);
        status = 1;
        continue;
      }
      try {
        if (values.bitmap) {
          const bitmap = examineBitmapFacts(member);
          if (!bitmap) {
            io.stderr.write(`mdlab examine: ${image} has no internal bitmap.\n`);
            status = 1;
            continue;
          }
          facts.push(bitmap);
          texts.push(renderExamineBitmap(bitmap));
        } else {
          const f = examineFacts(member);
          facts.push(f);
          texts.push(renderExamine(f));
        }
      } finally {
        closeMembers([member]);
      }
    }
    if (values.json) await writeOut(io.stdout, jsonText(facts));
    else if (texts.length > 0) await writeOut(io.stdout, `${texts.join('\n')}\n`);
    return status;
  },
};
