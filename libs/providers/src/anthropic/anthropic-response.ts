import type { FinishReason, ToolCall } from '@switchyard/contracts';
import type { AnswerPiece, ProviderResult } from '../lib/provider-adapter';
import { ProviderError } from '../lib/provider-error';

/** The fields of a Messages content block that the adapter reads. */
interface WireBlock {
  type?: unknown;
  text?: unknown;
  id?: unknown;
  name?: unknown;
  input?: unknown;
}

/**
 * A Messages answer as a result: text blocks are the content, tool_use blocks the tool calls (thinking
 * blocks are the model's own and left out). A call of the format tool is the JSON answer: its input,
 * serialised, is the content, and the answer finished normally.
 */
export function parseMessage(body: Record<string, unknown>, formatTool: string | undefined): ProviderResult {
  const blocks = body['content'];
  if (!Array.isArray(blocks)) throw new ProviderError('anthropic answered without content blocks', true);
  let content = '';
  let json: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const b of blocks as WireBlock[]) {
    if (b.type === 'text' && typeof b.text === 'string') content += b.text;
    else if (b.type === 'tool_use') {
      if (typeof b.id !== 'string' || typeof b.name !== 'string')
        throw new ProviderError('anthropic answered a tool_use block without id or name', true);
      const args = JSON.stringify(b.input ?? {});
      if (b.name === formatTool) json = args;
      else toolCalls.push({ id: b.id, name: b.name, arguments: args });
    }
  }
  const result = answer(json ?? content, stopReasonOf(body['stop_reason']), toolCalls, json !== undefined);
  const usage = body['usage'] as { input_tokens?: unknown; output_tokens?: unknown } | undefined;
  if (typeof usage?.input_tokens === 'number' && typeof usage.output_tokens === 'number')
    result.usage = { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens };
  return result;
}

/** The fields of Messages stream events that the adapter reads. */
export interface AnthropicEvent {
  type?: string;
  index?: number;
  message?: { usage?: { input_tokens?: number } };
  content_block?: WireBlock;
  delta?: { type?: string; text?: unknown; partial_json?: unknown; stop_reason?: unknown };
  usage?: { output_tokens?: number };
  error?: { message?: string };
}

type BlockSoFar =
  | { kind: 'text' }
  | { kind: 'tool'; call: number; streamed: boolean }
  | { kind: 'format'; streamed: boolean }
  | { kind: 'other' };

/**
 * Adds up a Messages stream (message_start, content_block_start/delta/stop, message_delta, message_stop).
 * Text deltas are text pieces; each tool_use block is a tool call numbered in the order its block starts
 * (id and name on its first piece, then its input_json_delta pieces as arguments); the format tool's
 * input is streamed as text, being the answer.
 */
export class AnthropicStreamReader {
  private readonly blocks = new Map<number, BlockSoFar>();
  private readonly calls: ToolCall[] = [];
  private content = '';
  private json: string | undefined;
  private finishReason: FinishReason = 'other';
  private inputTokens: number | undefined;
  private outputTokens: number | undefined;
  stopped = false;

  constructor(
    private readonly formatTool: string | undefined,
    private readonly onPiece: (piece: AnswerPiece) => void,
  ) {}

  event(e: AnthropicEvent, type: string | undefined, data: string): void {
    switch (type ?? '') {
      case 'message_start':
        this.inputTokens = e.message?.usage?.input_tokens;
        return;
      case 'content_block_start':
        return this.start(e.index ?? 0, e.content_block);
      case 'content_block_delta':
        return this.delta(e.index ?? 0, e.delta);
      case 'content_block_stop':
        return this.stop(e.index ?? 0);
      case 'message_delta':
        this.finishReason = stopReasonOf(e.delta?.stop_reason);
        this.outputTokens = e.usage?.output_tokens;
        return;
      case 'message_stop':
        this.stopped = true;
        return;
      case 'error':
        throw new ProviderError(`anthropic stream error: ${e.error?.message ?? data}`, true);
      default:
        return; // ping, and events added after this adapter was written
    }
  }

  result(): ProviderResult {
    const result = answer(this.json ?? this.content, this.finishReason, this.calls, this.json !== undefined);
    if (typeof this.inputTokens === 'number' && typeof this.outputTokens === 'number')
      result.usage = { inputTokens: this.inputTokens, outputTokens: this.outputTokens };
    return result;
  }

  private start(index: number, block: WireBlock | undefined): void {
    if (block?.type === 'text') {
      this.blocks.set(index, { kind: 'text' });
      if (typeof block.text === 'string') this.text(block.text);
    } else if (block?.type === 'tool_use') {
      if (typeof block.id !== 'string' || typeof block.name !== 'string')
        throw new ProviderError('anthropic streamed a tool_use block without id or name', true);
      if (block.name === this.formatTool) {
        this.json = '';
        this.blocks.set(index, { kind: 'format', streamed: false });
        return;
      }
      const call = this.calls.push({ id: block.id, name: block.name, arguments: '' }) - 1;
      this.blocks.set(index, { kind: 'tool', call, streamed: false });
      this.onPiece({ delta: '', toolCalls: [{ index: call, id: block.id, name: block.name }] });
    } else this.blocks.set(index, { kind: 'other' });
  }

  private delta(index: number, delta: AnthropicEvent['delta']): void {
    const block = this.blocks.get(index);
    if (delta?.type === 'text_delta' && typeof delta.text === 'string' && block?.kind === 'text') this.text(delta.text);
    else if (delta?.type === 'input_json_delta' && typeof delta.partial_json === 'string' && delta.partial_json !== '')
      this.arguments(block, delta.partial_json);
  }

  /** A tool_use block whose input was empty streamed no JSON: it is `{}`, as the whole answer would say. */
  private stop(index: number): void {
    const block = this.blocks.get(index);
    if ((block?.kind === 'tool' || block?.kind === 'format') && !block.streamed) this.arguments(block, '{}');
  }

  private text(text: string): void {
    if (text === '') return;
    this.content += text;
    this.onPiece({ delta: text });
  }

  private arguments(block: BlockSoFar | undefined, json: string): void {
    if (block?.kind === 'tool') {
      block.streamed = true;
      this.calls[block.call].arguments += json;
      this.onPiece({ delta: '', toolCalls: [{ index: block.call, arguments: json }] });
    } else if (block?.kind === 'format') {
      block.streamed = true;
      this.json = (this.json ?? '') + json;
      this.onPiece({ delta: json });
    }
  }
}

/** The result: with a JSON answer (the format tool's input) it finished normally unless other tools were called. */
function answer(content: string, finishReason: FinishReason, toolCalls: ToolCall[], json: boolean): ProviderResult {
  const result: ProviderResult = { content, finishReason };
  if (toolCalls.length > 0) result.toolCalls = toolCalls;
  else if (json && finishReason === 'tool_calls') result.finishReason = 'stop';
  return result;
}

function stopReasonOf(value: unknown): FinishReason {
  switch (value) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}
