import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SessionError } from '../../core/session/errors';
import { journalLine, type JournalEntry, parseJournalText, STEP_VERBS } from '../../core/session/journal';
import { type Manifest, manifestText, parseManifestText } from '../../core/session/manifest';

const validManifest: Manifest = {
  schemaVersion: 1,
  product: 'mdlab-session',
  name: 'fuzz',
  createdAt: '2026-11-23T09:00:00.000Z',
  arrayUuid: '01234567:89abcdef:01234567:89abcdef',
  array: { level: 5, raidDevices: 3, spareDevices: 1, layout: 2, chunkKib: 64, memberBytes: 8388608, bitmap: 'none', assumeClean: false },
  seed: 42,
  members: ['disk0.img', 'disk1.img', 'disk2.img', 'disk3.img'].map((image) => ({ image, sizeBytes: 8388608 })),
  initialImages: ['initial/disk0.img', 'initial/disk1.img', 'initial/disk2.img', 'initial/disk3.img'],
  journal: 'journal.jsonl',
  notes: 'notes.md',
};

/** The parser's contract: a Manifest, or a one-sentence SessionError; never any other exception. */
function parseOrRefusal(text: string): Manifest | SessionError {
  try {
    return parseManifestText(text);
  } catch (err) {
    if (err instanceof SessionError) {
      expect(err.message).not.toContain('\n');
      return err;
    }
    throw err;
  }
}

const jsonLeaf = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));

describe('manifest parser under fuzzing', () => {
  it('reads back what it writes', () => {
    expect(parseManifestText(manifestText(validManifest))).toEqual(validManifest);
  });

  it('answers arbitrary text with a manifest or one SessionError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (text) => void parseOrRefusal(text)), { numRuns: 2000 });
  });

  it('answers every truncation of a valid manifest with a SessionError', () => {
    const text = manifestText(validManifest);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 2 }), (cut) => {
        expect(parseOrRefusal(text.slice(0, cut))).toBeInstanceOf(SessionError);
      }),
      { numRuns: 1000 },
    );
  });

  it('answers a valid manifest with one field replaced by junk without ever throwing anything else', () => {
    const paths: string[][] = [['name'], ['seed'], ['array', 'level'], ['array', 'memberBytes'], ['members'], ['members', '0', 'image'], ['journal'], ['initialImages'], ['schemaVersion'], ['arrayUuid']];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.oneof(jsonLeaf, fc.constantFrom('../x', '/etc/passwd', 'a/../b', '', '.', 'a//b')), (where, junk) => {
        const m = structuredClone(validManifest) as unknown as Record<string, any>;
        let at = m;
        for (const key of where.slice(0, -1)) at = at[key];
        at[where.at(-1)!] = junk;
        const result = parseOrRefusal(JSON.stringify(m));
        // Any name that would lead out is refused, whatever else is wrong.
        const namesFile = ['journal', 'image'].includes(where.at(-1)!);
        if (namesFile && typeof junk === 'string' && (junk.startsWith('/') || junk.split('/').includes('..'))) expect(result).toBeInstanceOf(SessionError);
      }),
      { numRuns: 1000 },
    );
  });
});

const stepArb = fc.tuple(fc.constantFrom(...STEP_VERBS), fc.oneof(fc.integer({ min: 0, max: 8 }), fc.string({ maxLength: 12 }), fc.constant(null))).map(([verb, arg]) => ({ [verb]: arg }));

const journalArb = fc.array(fc.tuple(stepArb, fc.nat(1000)), { maxLength: 12 }).map((steps) => {
  const entries: JournalEntry[] = [{ seq: 1, atMs: 0, type: 'seed', seed: 9 }];
  let t = 0;
  for (const [step, dt] of steps) {
    t += dt;
    entries.push({ seq: entries.length + 1, atMs: t, type: 'step', step });
  }
  return entries;
});

describe('journal parser under fuzzing', () => {
  it('reads back every journal it writes', () => {
    fc.assert(
      fc.property(journalArb, (entries) => {
        const parsed = parseJournalText(entries.map(journalLine).join(''));
        expect(parsed.entries).toEqual(entries);
        expect(parsed.tornMessage).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('after a crash at any byte keeps exactly the whole lines before it', () => {
    fc.assert(
      fc.property(journalArb, fc.nat(), (entries, cutSeed) => {
        const lines = entries.map(journalLine);
        const text = lines.join('');
        const cut = cutSeed % (text.length + 1);
        const parsed = parseJournalText(text.slice(0, cut));
        let whole = 0;
        let bytes = 0;
        while (whole < lines.length && bytes + lines[whole].length <= cut) bytes += lines[whole++].length;
        expect(parsed.entries).toEqual(entries.slice(0, whole));
        expect(parsed.validBytes).toBe(bytes);
        expect(parsed.tornMessage === null).toBe(cut === bytes);
      }),
      { numRuns: 1000 },
    );
  });

  it('answers arbitrary text with entries or one SessionError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseJournalText(text);
        } catch (err) {
          if (!(err instanceof SessionError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
