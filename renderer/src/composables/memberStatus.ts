import type { ArraySnapshot, MemberSnapshot } from '../api';

export type MemberStatus = 'in_sync' | 'faulty' | 'rebuilding' | 'spare' | 'removed';

/**
 * Which picture a member gets, read straight off its sysfs state words and slot as the engine
 * reported them: faulty wins, in_sync next, a slotted member without in_sync is being rebuilt.
 */
export function memberStatus(member: MemberSnapshot): MemberStatus {
  if (member.state.includes('faulty')) return 'faulty';
  if (member.state.includes('in_sync')) return 'in_sync';
  if (member.slot !== null) return 'rebuilding';
  return 'spare';
}

/** How far recovery has come on a rebuilding member, as a fraction of the component size. */
export function recoveryFraction(snapshot: ArraySnapshot, member: MemberSnapshot): number | null {
  // A spare reports recovery_start 0 too; only a member holding a slot is being rebuilt.
  if (memberStatus(member) !== 'rebuilding' || member.recoveryStart === null || snapshot.componentSizeKib === 0) return null;
  return Math.min(1, member.recoveryStart / (snapshot.componentSizeKib * 2));
}
