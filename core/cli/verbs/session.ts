import { importScenarioFile } from '../../session/scenario-io';
import { UsageError, type Verb } from '../command';

export const sessionVerb: Verb = {
  name: 'session',
  summary: 'make a session folder from a scenario (mdlab session import SCENARIO.yaml FOLDER)',
  help: [
    'Usage: mdlab session import SCENARIO.yaml FOLDER',
    '',
    'Runs the scenario (which starts with its create step) on the virtual clock into FOLDER, a new session:',
    'member images, initial/ copies, manifest and a journal of every step as it ran. FOLDER must not exist,',
    'or be empty. The desktop lab opens it with Open; a failed expectation still leaves the steps that ran.',
    'Exit 0 when every expectation held, 1 when the scenario stopped early or was refused, 2 for usage.',
  ].join('\n'),
  options: {},
  async run({ positionals, io }) {
    const [sub, file, folder, ...extra] = positionals;
    if (sub !== 'import' || file === undefined || folder === undefined || extra.length > 0) {
      throw new UsageError('expects: session import SCENARIO.yaml FOLDER (see mdlab session --help).');
    }
    const { folder: made, run } = await importScenarioFile(file, folder);
    if (!run.ok) {
      io.stderr.write(`mdlab session: ${file} stopped after ${run.steps} steps: ${run.failure} ${made} holds the steps that ran.\n`);
      return 1;
    }
    io.stdout.write(`${made}: session of ${file}, ${run.steps} steps journaled\n`);
    return 0;
  },
};
