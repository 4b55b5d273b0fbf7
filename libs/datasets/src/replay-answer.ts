/**
 * Request metadata key naming the dataset row to replay. A dataset may hold the same prompt more than once
 * with different outcomes (MMLU-Pro: 159 repeated questions); the row id says which one a request stands
 * for. Without it the prompt alone picks the row (its last occurrence).
 */
export const REPLAY_ROW_METADATA = 'replay-row';

/**
 * The answer the replay provider gives for a recorded outcome: the recorded choice (`pred`) as a sentence
 * the acceptance checks and the vote read, or a marker naming the score when the data has no answer.
 */
export function replayedAnswer(
  model: string,
  outcome: { score: number; pred?: string | null },
): { content: string; finishReason: 'stop' } {
  return {
    content: outcome.pred ? `The answer is (${outcome.pred}).` : `[replayed ${model}: score ${outcome.score}]`,
    finishReason: 'stop',
  };
}
