import type { AcceptanceCheck, FinishReason, ToolCall } from '@switchyard/contracts';

export interface CandidateAnswer {
  content: string;
  finishReason: FinishReason;
  /** Tool calls are an answer too: an agent's turn that calls a tool is not empty. */
  toolCalls?: readonly ToolCall[];
}

// Refusals and non-answers in English and Chinese; anchored near the start, where models put them.
const REFUSAL =
  /^\s*(?:(?:i'?m|i am)\s+(?:sorry|afraid|unable|not able)|sorry,?\s+(?:but\s+)?i\s+(?:can(?:no|')t|cannot)|i\s+(?:can(?:no|')t|cannot|won'?t)\s+(?:help|assist|answer|provide|do that)|as an ai\b|抱歉|对不起|很遗憾|我无法|我不能|作为(?:一个)?(?:ai|人工智能))/i;

/** Whether the caller asked for JSON (OpenAI's response_format aside): the prompt says so. */
export function asksForJson(prompt: string): boolean {
  return /\bjson\b/i.test(prompt);
}

/**
 * The cascade's acceptance check, from the answer alone (no peeking at the score): the failed checks,
 * empty when the answer is accepted. `valid-json` applies only when the prompt asks for JSON.
 */
export function failedChecks(
  answer: CandidateAnswer,
  checks: readonly AcceptanceCheck[],
  prompt: string,
): AcceptanceCheck[] {
  const failed: AcceptanceCheck[] = [];
  const text = answer.content.trim();
  for (const check of checks) {
    switch (check) {
      case 'non-empty':
        if (text.length === 0 && !answer.toolCalls?.length) failed.push(check);
        break;
      case 'not-refusal':
        if (REFUSAL.test(text)) failed.push(check);
        break;
      case 'not-truncated':
        if (answer.finishReason === 'length') failed.push(check);
        break;
      case 'valid-json':
        if (asksForJson(prompt) && !parsesAsJson(text)) failed.push(check);
        break;
    }
  }
  return failed;
}

function parsesAsJson(text: string): boolean {
  // Models often fence JSON in ```json blocks: accept the fenced body.
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(text);
  try {
    JSON.parse(fenced ? fenced[1] : text);
    return true;
  } catch {
    return false;
  }
}
