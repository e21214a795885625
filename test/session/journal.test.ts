import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionError } from '../../core/session/errors';
import { JournalWriter, journalLine, parseJournalText } from '../../core/session/journal';
import { tempDir } from './helpers';

function writeSample(file: string): void {
  const w = JournalWriter.create(file);
  w.append({ type: 'seed', atMs: 0, seed: 7 });
  w.append({ type: 'step', atMs: 10, step: { fail: 1 } });
  w.append({ type: 'step', atMs: 25, step: { add: 'disk4.img' } });
  w.close();
}

describe('session journal', () => {
  it('appends numbered entries that parse back unchanged', () => {
    const file = path.join(tempDir('journal'), 'journal.jsonl');
    writeSample(file);
    const parsed = parseJournalText(fs.readFileSync(file, 'utf8'));
    expect(parsed.tornMessage).toBeNull();
    expect(parsed.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(parsed.entries[1]).toEqual({ seq: 2, atMs: 10, type: 'step', step: { fail: 1 } });
    expect(parsed.validBytes).toBe(fs.statSync(file).size);
  });

  it('drops a torn last line with a message and the next append starts on a clean line', () => {
    const file = path.join(tempDir('journal'), 'journal.jsonl');
    writeSample(file);
    const whole = fs.readFileSync(file, 'utf8');
    fs.appendFileSync(file, '{"seq":4,"atMs":30,"type":"st');
    const parsed = parseJournalText(fs.readFileSync(file, 'utf8'));
    expect(parsed.entries).toHaveLength(3);
    expect(parsed.tornMessage).toMatch(/torn entry.*dropped.*3 entries/);
    expect(parsed.validBytes).toBe(Buffer.byteLength(whole));

    const w = JournalWriter.openForAppend(file, parsed);
    w.append({ type: 'step', atMs: 40, step: { remove: 1 } });
    w.close();
    const again = parseJournalText(fs.readFileSync(file, 'utf8'));
    expect(again.tornMessage).toBeNull();
    expect(again.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('treats garbage on the last line after a power cut as torn, not as a crash', () => {
    const text = journalLine({ seq: 1, atMs: 0, type: 'seed', seed: 1 }) + '\0\0\0\0\n';
    const parsed = parseJournalText(text);
    expect(parsed.entries).toHaveLength(1);
    expect(parsed.tornMessage).not.toBeNull();
  });

  it('refuses damage in the middle of the journal in one sentence', () => {
    const good = journalLine({ seq: 1, atMs: 0, type: 'seed', seed: 1 });
    const next = journalLine({ seq: 3, atMs: 5, type: 'step', step: { fail: 0 } });
    expect(() => parseJournalText(`${good}not json\n${next}`)).toThrow(/line 2 is damaged/);
    const skipped = `${good}${journalLine({ seq: 2, atMs: 1, type: 'step', step: { fail: 0 } }).replace('"seq":2', '"seq":5')}${next}`;
    expect(() => parseJournalText(skipped)).toThrow(SessionError);
  });

  it('refuses a step with two verbs or an unknown verb', () => {
    const seed = journalLine({ seq: 1, atMs: 0, type: 'seed', seed: 1 });
    const two = '{"seq":2,"atMs":1,"type":"step","step":{"fail":0,"remove":0}}\n';
    const unknown = '{"seq":2,"atMs":1,"type":"step","step":{"format-disk":0}}\n';
    const tail = journalLine({ seq: 3, atMs: 2, type: 'open' });
    expect(() => parseJournalText(seed + two + tail)).toThrow(/line 2 is damaged/);
    expect(() => parseJournalText(seed + unknown + tail)).toThrow(/line 2 is damaged/);
  });
});
