/**
 * A session folder mdlab will not open or write: a damaged manifest, a file outside the folder, an image
 * that is missing, resized or from another array. The message is one sentence for a user; `code` lets the
 * UI and tests tell the cases apart without parsing it.
 */
export type SessionErrorCode =
  | 'NOT_A_SESSION'
  | 'MANIFEST_UNREADABLE'
  | 'MANIFEST_MALFORMED'
  | 'MANIFEST_NEWER'
  | 'PATH_OUTSIDE'
  | 'IMAGE_MISSING'
  | 'IMAGE_RESIZED'
  | 'IMAGE_FOREIGN'
  | 'IMAGE_NOT_MEMBER'
  | 'JOURNAL_DAMAGED'
  | 'EXISTS'
  | 'CLOSED';

export class SessionError extends Error {
  override name = 'SessionError';
  constructor(
    readonly code: SessionErrorCode,
    message: string,
  ) {
    super(message);
  }
}
