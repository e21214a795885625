/**
 * Reads a session folder WITHOUT changing anything and decides whether mdlab may open it. Every refusal is
 * one sentence (SessionError). Order matters: the manifest is checked before any name in it is used, and
 * every name is checked for containment before the file it names is opened, read-only.
 */
import * as fs from 'node:fs';
import { MdRefusal } from '../md/errors';
import { openMember } from '../md/member';
import { uuidText } from '../util/uuid';
import { SessionError } from './errors';
import { parseJournalText, type ParsedJournal } from './journal';
import { type Manifest, MANIFEST_FILE, parseManifestText } from './manifest';
import { realFolder, resolveInside } from './paths';

/** Refuses manifests that would make mdlab read a huge file into memory. */
const MANIFEST_MAX_BYTES = 1024 * 1024;

export interface InspectedSession {
  folder: string;
  manifest: Manifest;
  /** Absolute paths of the member images, in manifest order. */
  imagePaths: string[];
  /** Absolute paths of the initial copies, or null when the session keeps none. */
  initialPaths: string[] | null;
  journalPath: string;
  notesPath: string;
  journal: ParsedJournal;
  /** Things the user should know that did not stop the open (a dropped torn journal line). */
  messages: string[];
}

function readSmallFile(filePath: string, what: string, maxBytes: number): string {
  let text: string;
  try {
    const st = fs.statSync(filePath);
    if (!st.isFile()) throw new SessionError('NOT_A_SESSION', `${what} is not a regular file.`);
    if (st.size > maxBytes) throw new SessionError('MANIFEST_MALFORMED', `${what} is ${st.size} bytes, far more than a session file can be; mdlab will not read it.`);
    text = fs.readFileSync(filePath, 'utf8');
  } catch (err) {
    if (err instanceof SessionError) throw err;
    throw new SessionError('NOT_A_SESSION', `${what} is missing or unreadable, so this folder is not an mdlab session.`);
  }
  return text;
}

/** Checks one image against the manifest: present, a regular file of the recorded size, of this array. */
export function checkImage(imagePath: string, image: string, sizeBytes: number, arrayUuid: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(imagePath);
  } catch {
    throw new SessionError('IMAGE_MISSING', `The image ${image} named by the manifest is missing from the session folder.`);
  }
  if (!st.isFile()) throw new SessionError('IMAGE_MISSING', `${image} is not a regular file, so it cannot be a member image.`);
  if (st.size !== sizeBytes) {
    throw new SessionError('IMAGE_RESIZED', `${image} is ${st.size} bytes but the session recorded ${sizeBytes}; it was resized, so mdlab will not use it.`);
  }
  let uuid: string;
  try {
    const member = openMember(imagePath, { readOnly: true });
    uuid = uuidText(member.sb.setUuid);
    member.dev.close();
  } catch (err) {
    if (err instanceof MdRefusal) throw new SessionError('IMAGE_NOT_MEMBER', `${image} carries no valid md superblock, so it is not a member of this session's array.`);
    throw err;
  }
  if (uuid !== arrayUuid) {
    throw new SessionError('IMAGE_FOREIGN', `${image} belongs to another array (UUID ${uuid}), not to this session's array ${arrayUuid}.`);
  }
}

export function inspectSession(folder: string, options: { checkInitial?: boolean } = {}): InspectedSession {
  const root = realFolder(folder);
  const manifest = parseManifestText(readSmallFile(resolveInside(root, MANIFEST_FILE), MANIFEST_FILE, MANIFEST_MAX_BYTES));
  // Containment of every name first: nothing is opened while any name could lead out.
  const imagePaths = manifest.members.map((m) => resolveInside(root, m.image));
  const initialPaths = manifest.initialImages?.map((name) => resolveInside(root, name)) ?? null;
  const journalPath = resolveInside(root, manifest.journal);
  const notesPath = resolveInside(root, manifest.notes);
  // Distinct names may still lead to one file through links: md would see one disk twice.
  const all = [...imagePaths, ...(initialPaths ?? []), journalPath, notesPath];
  if (new Set(all).size !== all.length) {
    throw new SessionError('MANIFEST_MALFORMED', `${MANIFEST_FILE} names one file twice (through a link), so mdlab will not use it.`);
  }

  manifest.members.forEach((m, i) => checkImage(imagePaths[i], m.image, m.sizeBytes, manifest.arrayUuid));
  if (options.checkInitial && initialPaths) {
    initialPaths.forEach((p, i) => checkImage(p, manifest.initialImages![i], manifest.members[i].sizeBytes, manifest.arrayUuid));
  }
  const journal = parseJournalText(readSmallFile(journalPath, manifest.journal, 256 * 1024 * 1024));
  const messages = journal.tornMessage ? [journal.tornMessage] : [];
  return { folder: root, manifest, imagePaths, initialPaths, journalPath, notesPath, journal, messages };
}
