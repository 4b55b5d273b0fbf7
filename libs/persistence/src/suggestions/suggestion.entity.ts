import type { Suggestion } from '@switchyard/analytics';

export type SuggestionStatus = 'open' | 'applied' | 'superseded';

/** A rule review's suggestion as stored: listed, and applied through the canary (`switchyard policy apply-suggestion`). */
export interface SuggestionEntity extends Suggestion {
  /** `<reportId>.<n>`: the report that made it, and its rank there. */
  suggestionId: string;
  reportId: string;
  createdAt: Date;
  /** The policy version the evidence was gathered under (null when no policy was known). */
  policyVersion: string | null;
  /** open until applied; superseded when a later run reviews the same traffic again. */
  status: SuggestionStatus;
  applied?: { policyVersion: string; canaryPercent: number; at: Date; by: string };
}
