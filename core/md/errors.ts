/**
 * md or mdadm says no: a refused creation, an array that cannot start, an image that is not a member.
 * The message is one sentence for a user, in mdadm's wording where mdadm has one.
 */
export class MdRefusal extends Error {
  override name = 'MdRefusal';
  readonly code: 'REFUSED' | 'NEEDS_FORCE';

  /** `needsForce`: an assembly md refuses that mdadm --assemble --force would start (the UI offers it). */
  constructor(message: string, options: ErrorOptions & { needsForce?: boolean } = {}) {
    super(message, options);
    this.code = options.needsForce ? 'NEEDS_FORCE' : 'REFUSED';
  }
}
