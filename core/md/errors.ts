/**
 * md or mdadm says no: a refused creation, an array that cannot start, an image that is not a member.
 * The message is one sentence for a user, in mdadm's wording where mdadm has one.
 */
export class MdRefusal extends Error {
  override name = 'MdRefusal';
  readonly code = 'REFUSED';
}
