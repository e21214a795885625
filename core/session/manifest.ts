/**
 * manifest.json: what a session folder holds and how its array was made. The images stay the truth (as in
 * md, the superblocks decide what the array is); the manifest only names them and records the facts that
 * let mdlab refuse an image that does not belong: the array UUID and each image's size.
 *
 * Parsing gathers every problem into ONE sentence for the user and never throws anything but
 * SessionError, whatever bytes it is given (fuzzed in test/session/parsers.fuzz.test.ts).
 */
import { z } from 'zod';
import { SessionError } from './errors';

/** The newest manifest this mdlab writes and reads. Bump it with a migration, never silently. */
export const MANIFEST_SCHEMA_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

/** A name inside the session folder: relative, forward slashes, no "." or ".." segments, no NUL. */
export const RelativeNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !s.includes('\0') && !s.includes('\\'), 'must not contain NUL or backslashes')
  .refine((s) => !s.startsWith('/'), 'must be relative to the session folder')
  .refine((s) => s.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..'), 'must not use "", "." or ".." segments');

const count = z.number().int().nonnegative();
const UuidTextSchema = z.string().regex(/^[0-9a-f]{8}(:[0-9a-f]{8}){3}$/, 'must be an md UUID like 01234567:89abcdef:01234567:89abcdef');

/** How the array was created: the same knobs as `mdlab create` and a scenario's `array:` block. */
export const ArrayConfigSchema = z
  .object({
    level: z.union([z.literal(4), z.literal(5)]),
    raidDevices: z.number().int().min(2).max(64),
    spareDevices: z.number().int().min(0).max(64),
    /** RAID5 algorithm number; null for RAID4. */
    layout: z.number().int().min(0).max(5).nullable(),
    chunkKib: z.number().int().positive(),
    memberBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    bitmap: z.enum(['internal', 'none']),
    assumeClean: z.boolean(),
  })
  .strict();
export type ArrayConfig = z.infer<typeof ArrayConfigSchema>;

export const ManifestMemberSchema = z.object({ image: RelativeNameSchema, sizeBytes: count }).strict();
export type ManifestMember = z.infer<typeof ManifestMemberSchema>;

export const ManifestSchema = z
  .object({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    product: z.literal('mdlab-session'),
    name: z.string().min(1).max(200),
    createdAt: z.iso.datetime(),
    /** mdadm's colon form of the superblock set_uuid: every image must carry it. */
    arrayUuid: UuidTextSchema,
    array: ArrayConfigSchema,
    /** Seed of every random choice in the session (fault placement, patterns). */
    seed: z.number().int().min(0).max(0xffffffff),
    /** Member images in creation order: raid devices first, then spares. */
    members: z.array(ManifestMemberSchema).min(2).max(128),
    /** Untouched copies of the members as created, the starting point of every replay; null if not kept. */
    initialImages: z.array(RelativeNameSchema).nullable(),
    journal: RelativeNameSchema,
    notes: RelativeNameSchema,
  })
  .strict()
  .superRefine((m, ctx) => {
    const all = [...m.members.map((x) => x.image), ...(m.initialImages ?? []), m.journal, m.notes];
    if (new Set(all).size !== all.length) ctx.addIssue({ code: 'custom', message: 'names the same file twice', path: ['members'] });
    if (m.members.length !== m.array.raidDevices + m.array.spareDevices) {
      ctx.addIssue({ code: 'custom', message: 'lists a different number of members than the array has', path: ['members'] });
    }
    if (m.initialImages !== null && m.initialImages.length !== m.members.length) {
      ctx.addIssue({ code: 'custom', message: 'keeps a different number of initial images than members', path: ['initialImages'] });
    }
  });
export type Manifest = z.infer<typeof ManifestSchema>;

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? `"${issue.path.map(String).join('.')}"` : 'the top level';
  return `${where} ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`;
}

/** Reads manifest.json's text; throws SessionError naming the first problem, in one sentence. */
export function parseManifestText(text: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SessionError('MANIFEST_UNREADABLE', `${MANIFEST_FILE} is not valid JSON (it is truncated or damaged).`);
  }
  // The version decides before anything else: a newer manifest is not "malformed", it is from the future.
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const version = (raw as { schemaVersion?: unknown }).schemaVersion;
    if (typeof version === 'number' && Number.isInteger(version) && version > MANIFEST_SCHEMA_VERSION) {
      throw new SessionError(
        'MANIFEST_NEWER',
        `This session was saved by a newer mdlab (schema version ${version}); this mdlab reads schema version ${MANIFEST_SCHEMA_VERSION} and older.`,
      );
    }
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SessionError('MANIFEST_MALFORMED', `${MANIFEST_FILE} is malformed: ${describeIssue(parsed.error.issues[0])}.`);
  }
  return parsed.data;
}

export function manifestText(m: Manifest): string {
  // Validate right before writing too: a manifest mdlab cannot read back must never reach the disk.
  return `${JSON.stringify(ManifestSchema.parse(m), null, 2)}\n`;
}
