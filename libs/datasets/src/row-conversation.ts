import { type ChatMessage, contextText, messagesWithContext } from '@switchyard/contracts';
import type { DatasetRow } from './dataset-format';

/**
 * A row as a request carries it: its `context` (the conversation before the prompt), when it has one, as a
 * message before the prompt, so a replayed request is priced on its whole input and a router that reads the
 * conversation gets it back (`contextText`) as it would from a caller.
 */
export function rowMessages(row: Pick<DatasetRow, 'prompt' | 'context'>): ChatMessage[] {
  return messagesWithContext(row.prompt, row.context);
}

/**
 * A row's context as a router reads it from the request `rowMessages` makes (`contextText`: cut to
 * CONTEXT_MAX_CHARS, keeping the most recent), so offline training and evaluation see what serving sees;
 * undefined without one.
 */
export function rowContext(row: Pick<DatasetRow, 'prompt' | 'context'>): string | undefined {
  return row.context ? contextText(rowMessages(row)) || undefined : undefined;
}
