export type CanaryArm = 'control' | 'candidate';

/**
 * Which arm of a canary a tenant or user is in: a stable hash of the key (salted with the candidate's
 * version, so a new candidate reshuffles who is in it) against the share. The same key always lands in
 * the same arm, on every replica, without shared state.
 */
export function canaryArm(key: string, percent: number, salt: string): CanaryArm {
  if (percent <= 0) return 'control';
  if (percent >= 100) return 'candidate';
  let h = 0x811c9dc5;
  const s = `${salt}\u0000${key}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  // murmur3 finaliser: FNV's low bits are poorly mixed for short keys
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % 10_000 < percent * 100 ? 'candidate' : 'control';
}
