import * as path from 'node:path';
import { runScenarioFile } from '../../scenario/runner';
import { runLabVerb } from './run-lab';
import { stringOption, UsageError, type Verb, writeOut } from '../command';

export const runVerb: Verb = {
  name: 'run',
  summary: 'run a scenario (YAML experiment) headless; exit 0 when every expectation holds',
  help: [
    'Usage: mdlab run SCENARIO.yaml [--dir DIR] [--quiet]',
    '       mdlab run --lab NAME [--lang en|zh]   (a built-in guided lab, see mdlab labs)',
    '',
    'Runs the steps of a scenario (create, assemble, stop, write, verify, fail, remove, add, re-add,',
    'set, sync-action, wait, expect, sleep) against the engine under a virtual clock, so equal seeds',
    'give equal runs. Prints each step and mdstat progress; exits 1 at the first failed expectation.',
    'The format is described in README.md ("Scenarios").',
    '',
    '      --dir DIR   put the member images in DIR instead of the scenario\'s array.dir',
    '  -q, --quiet     print only the verdict',
  ].join('\n'),
  options: { dir: { type: 'string' }, quiet: { type: 'boolean', short: 'q' }, lab: { type: 'string' }, lang: { type: 'string' } },
  async run({ values, positionals, io }) {
    if (values.lab !== undefined) return runLabVerb({ values, positionals, io });
    if (positionals.length !== 1) throw new UsageError('run needs exactly one SCENARIO file.');
    const lines: string[] = [];
    const dir = stringOption(values, 'dir');
    const result = runScenarioFile(positionals[0], {
      arrayDir: dir === undefined ? undefined : path.resolve(dir),
      out: values.quiet ? undefined : (line) => lines.push(line),
    });
    await writeOut(io.stdout, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    if (!result.ok) {
      await writeOut(io.stderr, `mdlab run: step ${result.failedStep + 1}: ${result.failure}\n`);
      return 1;
    }
    if (values.quiet) await writeOut(io.stdout, `mdlab run: ${path.basename(positionals[0])}: every expectation held\n`);
    return 0;
  },
};
