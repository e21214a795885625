/** `mdlab run --lab NAME`: a built-in guided lab, headless, for grading (exit 0 when every check holds). */
import { BUILTIN_LABS, findLab } from '../../labs';
import { labReportText, runLab } from '../../labs/run-lab';
import { stringOption, UsageError, type VerbContext, writeOut } from '../command';

export async function runLabVerb({ values, positionals, io }: VerbContext): Promise<number> {
  if (positionals.length > 0) throw new UsageError('run --lab NAME takes no SCENARIO file.');
  const name = stringOption(values, 'lab') ?? '';
  const lab = findLab(name);
  if (!lab) throw new UsageError(`no built-in lab is called "${name}"; mdlab labs lists ${BUILTIN_LABS.map((l) => l.name).join(', ')}.`);
  const lang = stringOption(values, 'lang') ?? 'en';
  if (lang !== 'en' && lang !== 'zh') throw new UsageError(`--lang must be en or zh, not "${lang}".`);
  const result = runLab(lab, { workDir: undefined });
  await writeOut(io.stdout, labReportText(result, lang));
  return result.ok ? 0 : 1;
}
