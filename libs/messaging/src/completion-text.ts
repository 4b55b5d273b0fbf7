import type { CompletionFailed, CompletionSucceeded } from '@switchyard/contracts';

/** How much of a request's text its completion event carries (RECORD_PROMPTS): all of it, or none. */
export type CompletionText = 'full' | 'none';

/**
 * A completion event as it may leave the request path for JetStream (and from there a record, or a dead
 * letter): as built under `full`; under `none` without the routed text, the conversation before it, the
 * answer and the tool calls the answer asked for, saying so with `textWithheld`. The rest (who, when, the
 * features, the decision, the attempts, usage and cost) is what stats and the gate need, and stays.
 */
export function completionWithText<E extends CompletionSucceeded | CompletionFailed>(
  event: E,
  text: CompletionText,
): E {
  if (text === 'full') return event;
  const { context: _context, ...rest } = event as CompletionSucceeded & CompletionFailed;
  const withheld: Partial<CompletionSucceeded> & Omit<CompletionFailed, 'context'> = {
    ...rest,
    prompt: '',
    textWithheld: true,
  };
  if ('answer' in withheld) {
    withheld.answer = '';
    delete withheld.toolCalls;
  }
  return withheld as E;
}
