import type { ChatDelta, ChatSuccess, RouterErrorBody } from '@switchyard/contracts';
import { messageId, stopReason, toAnthropic, toAnthropicError } from './anthropic-messages.mapper';

/** One server-sent event of Anthropic's stream: the event name is the data's `type`. */
function event(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/**
 * Anthropic's stream of a Message (`message_start`, content blocks each opened, filled and stopped in
 * turn, `message_delta` with the stop reason and usage, `message_stop`), built from Switchyard's pieces as
 * they come. Pure: it returns the events and the caller writes them.
 *
 * Text is streamed as it comes. Tool calls are sent when the answer is complete, each as one tool_use
 * block carrying its whole input: Anthropic's SDKs parse a tool block's accumulated input when it stops
 * and fail the stream on JSON that does not parse, and our providers do not all guarantee it does (a call
 * cut off by max_tokens), so a tool block goes out once its arguments are whole and checked, and a call
 * whose arguments are not a JSON object gets `input: {}` as in the whole answer (toAnthropic).
 */
export class AnthropicMessageStream {
  private blocks = 0;
  private textOpen = false;

  /** The opening events: the message shell. Input tokens are not known yet: message_delta carries them. */
  start(requestId: string, model: string): string[] {
    return [
      event('message_start', {
        message: {
          id: messageId(requestId),
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0 },
        },
      }),
    ];
  }

  /** A piece of the answer: its text, into the open text block (opened by the first text). */
  delta(piece: Pick<ChatDelta, 'delta'>): string[] {
    if (piece.delta === '') return [];
    const events: string[] = [];
    if (!this.textOpen) {
      events.push(event('content_block_start', { index: this.blocks, content_block: { type: 'text', text: '' } }));
      this.textOpen = true;
    }
    events.push(event('content_block_delta', { index: this.blocks, delta: { type: 'text_delta', text: piece.delta } }));
    return events;
  }

  /** The closing events, from the whole answer: its tool calls, stop reason, usage and routing metadata. */
  end(reply: ChatSuccess): string[] {
    const events = this.closeText();
    const message = toAnthropic(reply);
    for (const block of message.content) {
      if (block['type'] !== 'tool_use') continue;
      const index = this.blocks++;
      events.push(
        event('content_block_start', { index, content_block: { ...block, input: {} } }),
        event('content_block_delta', {
          index,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(block['input']) },
        }),
        event('content_block_stop', { index }),
      );
    }
    events.push(
      event('message_delta', {
        delta: { stop_reason: stopReason(reply), stop_sequence: null },
        usage: message.usage,
        switchyard: message.switchyard,
      }),
      event('message_stop', {}),
    );
    return events;
  }

  /** A failure after the stream opened: the status is already sent, so an error event ends the stream. */
  error(error: RouterErrorBody, requestId?: string): string {
    return event('error', toAnthropicError(error, requestId));
  }

  private closeText(): string[] {
    if (!this.textOpen) return [];
    this.textOpen = false;
    return [event('content_block_stop', { index: this.blocks++ })];
  }
}

/**
 * A whole answer as Anthropic's stream (the text in word-sized pieces): for answers that arrive whole
 * (a replayed request id, a cascade or consensus plan).
 */
export function toAnthropicStream(reply: ChatSuccess): string[] {
  const stream = new AnthropicMessageStream();
  const events = stream.start(reply.requestId, reply.model);
  for (const piece of reply.answer.content.match(/\S+\s*|\s+/g) ?? []) events.push(...stream.delta({ delta: piece }));
  return [...events, ...stream.end(reply)];
}
