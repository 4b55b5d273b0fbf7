import { z } from 'zod';

/**
 * An object schema that refuses keys it does not know, naming each and the closest known key
 * (`unknown key "quota" (did you mean "quotas"?)`): a misspelt field is an error, never silently dropped.
 */
export function closedObject<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      // The schema that refused the keys: after `.extend()` it knows more keys than `shape`.
      const own = (issue.inst as { _zod?: { def?: { shape?: z.ZodRawShape } } } | undefined)?._zod?.def?.shape;
      return unknownKeysMessage(issue.keys, Object.keys(own ?? shape));
    },
  });
}

/** `unknown key "quota" (did you mean "quotas"?)`, for one or more keys. */
export function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  return keys
    .map((key) => {
      const near = closestKey(key, known);
      return `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}`;
    })
    .join('; ');
}

/**
 * The known key nearest to `key` by edit distance, ignoring case, `_` and `-` (so `max_tokens` finds
 * `maxTokens`); undefined when none is within a third of the key's length (at least 2 edits).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  const target = norm(key);
  const limit = Math.max(2, Math.floor(target.length / 3));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(target, norm(candidate));
    if (distance <= limit && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 64) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}
