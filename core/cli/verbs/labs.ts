import { BUILTIN_LABS } from '../../labs';
import { jsonText, stringOption, UsageError, type Verb } from '../command';

export const labsVerb: Verb = {
  name: 'labs',
  summary: 'list the built-in guided labs (run one with mdlab run --lab NAME)',
  help: [
    'Usage: mdlab labs [--json] [--lang en|zh]',
    '',
    'Lists the built-in guided labs: each is an array, steps with instructions and automatic checks.',
    'Run one headless, for grading, with "mdlab run --lab NAME" (exit code 0 when every check holds).',
    '',
    '  --json       print [{name, title, summary}] for machines',
    '  --lang LANG  en (default) or zh (Simplified Chinese)',
  ].join('\n'),
  options: { json: { type: 'boolean' }, lang: { type: 'string' } },
  run({ values, io }) {
    const lang = stringOption(values, 'lang') ?? 'en';
    if (lang !== 'en' && lang !== 'zh') throw new UsageError(`--lang must be en or zh, not "${lang}".`);
    const rows = BUILTIN_LABS.map((lab) => ({ name: lab.name, title: lab.title[lang], summary: lab.summary[lang] }));
    if (values.json) {
      io.stdout.write(jsonText(rows));
      return 0;
    }
    const width = Math.max(...rows.map((r) => r.name.length));
    io.stdout.write(rows.map((r) => `${r.name.padEnd(width)}  ${r.title}\n${' '.repeat(width)}  ${r.summary}\n`).join(''));
    return 0;
  },
};
