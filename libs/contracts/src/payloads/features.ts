import { z } from 'zod';

/** Routing features of one request, computed once by analyzer; every routing level reads these. */
export const featuresSchema = z.object({
  /** Characters in the last user message. */
  chars: z.number().int().nonnegative(),
  /** Estimated tokens of the whole conversation. */
  tokenEstimate: z.number().int().nonnegative(),
  /**
   * The script carrying most of the last user message: `zh` Han without kana, `en` Latin script, `other` any
   * other script (Japanese, Korean, Cyrillic, ...) or none, `mixed` when no script carries 80% of it.
   */
  language: z.enum(['zh', 'en', 'mixed', 'other']),
  turns: z.number().int().nonnegative(),
  questionCount: z.number().int().nonnegative(),
  codeBlocks: z.number().int().nonnegative(),
  /** Seed keyword groups that matched the last user message (`reasoning`, `structure`, `domain`, …). */
  signals: z.record(z.string(), z.number().int().nonnegative()),
  /** 0 (trivial) .. 1 (hard). */
  difficulty: z.number().min(0).max(1),
});

export type Features = z.infer<typeof featuresSchema>;
