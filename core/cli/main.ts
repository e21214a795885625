/**
 * `mdlab VERB ...`: dispatch to the verb modules listed in VERBS. Errors become one line on stderr:
 * exit 2 for usage, 1 for a refusal or an operating error; never a stack trace.
 */
import { parseArgs } from 'node:util';
import { AssertionError } from '../util/assert';
import { type CliIo, UsageError, type Verb } from './command';

/**
 * Every verb, in the order `mdlab --help` lists them. Add new verbs here. Each module is loaded only
 * when its verb runs: the engine behind `run` or `mdstat` costs a second of start-up that `examine`
 * or `create --no-sync` should not pay.
 */
export const VERBS: { name: string; load: () => Promise<Verb> }[] = [
  { name: 'create', load: async () => (await import('./verbs/create')).createVerb },
  { name: 'examine', load: async () => (await import('./verbs/examine')).examineVerb },
  { name: 'detail', load: async () => (await import('./verbs/detail')).detailVerb },
  { name: 'cat', load: async () => (await import('./verbs/cat')).catVerb },
  { name: 'labs', load: async () => (await import('./verbs/labs')).labsVerb },
  { name: 'mdstat', load: async () => (await import('./verbs/mdstat')).mdstatVerb },
  { name: 'run', load: async () => (await import('./verbs/run')).runVerb },
  { name: 'session', load: async () => (await import('./verbs/session')).sessionVerb },
];

async function overview(): Promise<string> {
  const verbs = await Promise.all(VERBS.map((v) => v.load()));
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [
    'Usage: mdlab VERB [options] ...',
    '',
    'Linux md (software RAID4/5) on sparse image files, bit-compatible with the kernel and mdadm.',
    '',
    'Verbs:',
    ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
    'Run "mdlab VERB --help" for the options of one verb.',
  ].join('\n');
}

function oneLine(err: unknown): string {
  if (err instanceof AssertionError) return `mdlab bug: ${err.message}`;
  if (err instanceof Error) return err.message.split('\n')[0];
  return String(err);
}

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [verbName, ...rest] = argv;
  if (verbName === undefined || verbName === '--help' || verbName === '-h' || verbName === 'help') {
    io.stdout.write(`${await overview()}\n`);
    return verbName === undefined ? 2 : 0;
  }
  const entry = VERBS.find((v) => v.name === verbName);
  if (!entry) {
    io.stderr.write(`mdlab: unknown verb "${verbName}" (try mdlab --help)\n`);
    return 2;
  }
  const verb = await entry.load();
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...verb.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.stdout.write(`${verb.help}\n`);
      return 0;
    }
    return await verb.run({ values, positionals, io });
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.stderr.write(`mdlab ${verb.name}: ${oneLine(err)}\n`);
    return usage ? 2 : 1;
  }
}
