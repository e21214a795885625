/**
 * The command framework: each verb is a module declaring its options (node's util.parseArgs config),
 * its help text and a run function. main.ts holds the one list of verbs.
 */
import type { ParseArgsConfig } from 'node:util';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface VerbContext {
  values: OptionValues;
  positionals: string[];
  io: CliIo;
}

export interface Verb {
  name: string;
  /** One line for `mdlab --help`. */
  summary: string;
  /** Full `mdlab VERB --help` text, without the trailing newline. */
  help: string;
  options: OptionsConfig;
  /** Returns the exit code. */
  run(ctx: VerbContext): Promise<number> | number;
}

/** The command line is wrong: exit 2 with one line, as mdadm does for bad options. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Writes and waits for the stream to drain, so `cat` of a large array never buffers it all. */
export function writeOut(stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = stream.write(data, (err) => {
      if (err) reject(err);
    });
    if (ok) resolve();
    else stream.once('drain', resolve);
  });
}

/** Facts as JSON: one object per line's worth of data, two-space indented, bigint-free by construction. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireImages(positionals: string[], verb: string): string[] {
  if (positionals.length === 0) throw new UsageError(`${verb} needs at least one IMAGE (see mdlab ${verb} --help).`);
  return positionals;
}
