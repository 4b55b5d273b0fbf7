export interface Vote {
  model: string;
  /** The answer text, or a short extracted answer (a choice letter) when the caller has one. */
  answer: string;
}

export interface ConsensusResult {
  /** True when at least `quorum` answers agree. */
  agreed: boolean;
  /** The majority answer (as first written by one of its voters), or the largest group's when none agreed. */
  answer: string;
  /** Models that gave the majority answer. */
  majority: string[];
  /** Every distinct normalised answer and who gave it, largest group first. */
  groups: Array<{ answer: string; models: string[] }>;
}

/**
 * Normalises an answer for voting: a final choice letter ("Answer: B", "答案是 C", "(D)") when there is one,
 * otherwise the text lower-cased with whitespace and trailing punctuation collapsed.
 */
export function normaliseAnswer(answer: string): string {
  const letter =
    /(?:answer(?:\s+is)?|答案(?:是|为)?)\s*[:：]?\s*\(?([A-J])\)?(?![A-Za-z])/i.exec(answer) ??
    /^\s*\(?([A-J])\)?\s*[.)]?\s*$/i.exec(answer);
  if (letter) return letter[1].toUpperCase();
  return answer
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s.。!！?？]+$/u, '')
    .trim();
}

/**
 * The seed's consensus voting, done properly: a majority must reach the quorum; otherwise the result says
 * so (never the seed's shortcut of returning the first answer either way). Empty answers are not votes.
 * Ties go to the group whose first
 * voter comes first in `votes`, so callers list their strongest model first.
 */
export function voteConsensus(votes: readonly Vote[], quorum: number): ConsensusResult {
  const groups = new Map<string, { answer: string; models: string[] }>();
  for (const v of votes) {
    const key = normaliseAnswer(v.answer);
    if (key === '') continue; // an empty answer is no vote: two empty answers must not agree
    const group = groups.get(key) ?? { answer: v.answer, models: [] };
    group.models.push(v.model);
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort((a, b) => b.models.length - a.models.length);
  const top = ordered[0] ?? { answer: '', models: [] };
  return { agreed: top.models.length >= quorum, answer: top.answer, majority: top.models, groups: ordered };
}

/** What a consensus plan does after its vote: return one voter's answer, or ask a model outside the vote. */
export type ConsensusNext = { keep: string } | { ask: string };

/**
 * The rule provider-adapters applies, and offline replays copy: with a quorum, the majority's first voter;
 * without one, the tie-breaker when the plan escalates to a model outside its voters, otherwise the plan's
 * strongest model's answer (or the first answer, when that model gave none). `answered`: the voters that
 * answered, in the plan's order.
 */
export function consensusNext(
  plan: { model: string; models: readonly string[]; onDisagreement: 'escalate' | 'flag' },
  vote: ConsensusResult,
  answered: readonly string[],
): ConsensusNext {
  if (vote.agreed) return { keep: vote.majority[0] };
  if (plan.onDisagreement === 'escalate' && !plan.models.includes(plan.model)) return { ask: plan.model };
  return { keep: answered.includes(plan.model) ? plan.model : answered[0] };
}
