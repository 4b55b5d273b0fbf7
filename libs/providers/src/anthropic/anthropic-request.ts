import type { ChatMessage, GenerationParams } from '@switchyard/contracts';
import { messageText } from '@switchyard/contracts';
import type { ProviderCall } from '../lib/provider-adapter';
import { cannotHonour, ProviderError } from '../lib/provider-error';

/** Messages requires max_tokens; this is used when neither the caller nor the policy sets one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/**
 * The tool through which a JSON answer format is asked for: Messages has no response_format, but a tool's
 * input is JSON held to its input_schema, so the model "calls" this tool and its input is the answer.
 */
export const ANTHROPIC_FORMAT_TOOL = 'json_answer';

/** Extended thinking's budget for each reasoning effort (Anthropic's minimum budget is 1024). */
export const ANTHROPIC_THINKING_BUDGET: Record<NonNullable<GenerationParams['reasoningEffort']>, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
};

/** Image types Messages takes. */
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

type Block = Record<string, unknown>;
interface Turn {
  role: 'user' | 'assistant';
  content: string | Block[];
}

/**
 * The Messages body of a call (without `stream`), and the name of the format tool when one stands for a
 * JSON answer format. Throws (not retryable) what Messages cannot express: more than one answer, a seed,
 * presence or frequency penalties, logprobs; and with extended thinking, forced tool use (a required or
 * named tool choice, a JSON answer format), which thinking forbids.
 */
export function anthropicPayload(call: ProviderCall): { payload: Record<string, unknown>; formatTool?: string } {
  const p = call.params;
  refuseWhatMessagesCannotExpress(p);
  const payload: Record<string, unknown> = {
    model: call.model.deployment ?? call.model.id,
    max_tokens: p.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages: anthropicTurns(call.messages),
  };
  const system = call.messages.filter((m) => m.role === 'system').map(messageText);
  if (system.length > 0) payload['system'] = system.join('\n\n');
  if (p.stop !== undefined) payload['stop_sequences'] = p.stop;

  // Reasoning effort is a reasoning model's (routing sends it nowhere else); on another model it can only be
  // the policy's default for the route, which that model has no use for.
  const thinking = p.reasoningEffort !== undefined && call.model.capabilities?.includes('reasoning');
  if (thinking) {
    const budget = ANTHROPIC_THINKING_BUDGET[p.reasoningEffort ?? 'medium'];
    const asked = p.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS;
    // max_tokens counts the thinking and must exceed its budget: when it does not, the budget is added to
    // it, so the answer keeps the room that was asked for.
    payload['max_tokens'] = asked > budget ? asked : budget + asked;
    payload['thinking'] = { type: 'enabled', budget_tokens: budget };
    refuseForcedToolsWithThinking(call);
    // Thinking refuses temperature (and top_p below 0.95): like a reasoning model's sampling settings they
    // can only be the policy's defaults, so they are left out.
  } else {
    // Anthropic's temperature range is 0..1.
    if (p.temperature !== undefined) payload['temperature'] = Math.min(p.temperature, 1);
    if (p.topP !== undefined) payload['top_p'] = p.topP;
  }

  const { tools, toolChoice, formatTool } = anthropicTools(call);
  if (tools.length > 0) payload['tools'] = tools;
  if (toolChoice) payload['tool_choice'] = toolChoice;
  return formatTool ? { payload, formatTool } : { payload };
}

/**
 * The caller's tools and tool choice in Messages form, and the format tool standing for a JSON answer
 * format: forced when the call has no tools of its own, one more choice among them (tool_choice `any`)
 * when it has.
 */
function anthropicTools(call: ProviderCall): { tools: Block[]; toolChoice?: Block; formatTool?: string } {
  const tools: Block[] = (call.tools ?? []).map((t) => ({
    name: t.name,
    ...(t.description === undefined ? {} : { description: t.description }),
    // `strict` has no Messages form: tool inputs follow input_schema without a switch for it.
    input_schema: t.parameters ?? { type: 'object', properties: {} },
  }));
  let toolChoice: Block | undefined;
  if (call.tools?.length && call.toolChoice !== undefined)
    toolChoice =
      typeof call.toolChoice === 'object'
        ? { type: 'tool', name: call.toolChoice.name }
        : { type: call.toolChoice === 'required' ? 'any' : call.toolChoice };

  let formatTool: string | undefined;
  const format = call.responseFormat;
  if (format && format.type !== 'text') {
    if (call.tools?.some((t) => t.name === ANTHROPIC_FORMAT_TOOL))
      throw cannotHonour(
        'anthropic',
        'responseFormat',
        format.type,
        `a tool is already named ${ANTHROPIC_FORMAT_TOOL}`,
      );
    const forced = toolChoice?.['type'] === 'any' || toolChoice?.['type'] === 'tool';
    // A call that must use one of the caller's tools this turn answers in JSON on a later turn.
    if (!forced) {
      formatTool = ANTHROPIC_FORMAT_TOOL;
      const ownTools = toolChoice?.['type'] === 'none' ? [] : [...tools];
      tools.splice(0, tools.length, ...ownTools, {
        name: ANTHROPIC_FORMAT_TOOL,
        description:
          format.type === 'json_schema'
            ? (format.description ?? `Give the answer (${format.name}) as this tool's input.`)
            : "Give the answer as this tool's input, a JSON object.",
        input_schema: format.type === 'json_schema' ? format.schema : { type: 'object' },
      });
      // With tools of its own the model may call one of them or answer through the format tool.
      toolChoice = ownTools.length > 0 ? { type: 'any' } : { type: 'tool', name: ANTHROPIC_FORMAT_TOOL };
    }
  }
  if (tools.length === 0) return { tools };
  if (call.parallelToolCalls === false && toolChoice?.['type'] !== 'none')
    toolChoice = { ...(toolChoice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return { tools, toolChoice, formatTool };
}

function refuseWhatMessagesCannotExpress(p: GenerationParams): void {
  if (p.n !== undefined && p.n > 1) throw cannotHonour('anthropic', 'params.n', p.n);
  if (p.seed !== undefined) throw cannotHonour('anthropic', 'params.seed', p.seed);
  // A zero penalty changes nothing, so it is no request to refuse.
  if (p.presencePenalty) throw cannotHonour('anthropic', 'params.presencePenalty', p.presencePenalty);
  if (p.frequencyPenalty) throw cannotHonour('anthropic', 'params.frequencyPenalty', p.frequencyPenalty);
  if (p.logprobs) throw cannotHonour('anthropic', 'params.logprobs', p.logprobs);
}

function refuseForcedToolsWithThinking(call: ProviderCall): void {
  const why = 'extended thinking (params.reasoningEffort) forbids forced tool use';
  if (call.tools?.length && (call.toolChoice === 'required' || typeof call.toolChoice === 'object'))
    throw cannotHonour('anthropic', 'toolChoice', call.toolChoice, why);
  if (call.responseFormat && call.responseFormat.type !== 'text')
    throw cannotHonour('anthropic', 'responseFormat', call.responseFormat.type, why);
  // With thinking on, an assistant turn that called tools must be sent back starting with its thinking
  // block (signed by Anthropic) while its tool loop goes on; messages do not carry thinking, so the API
  // would refuse.
  if (call.messages.findLast((m) => m.role === 'assistant')?.toolCalls)
    throw cannotHonour(
      'anthropic',
      'params.reasoningEffort',
      call.params.reasoningEffort,
      'continuing a tool loop with thinking on needs the thinking block of the turn that called the tools, which messages do not carry',
    );
}

/**
 * The conversation as Messages turns: system messages go to `system`; tool messages become `tool_result`
 * blocks of a user turn; consecutive turns of one role are merged, as Messages wants roles to alternate.
 * A message's `name` and an image's `detail` have no Messages form and are left out: neither changes
 * what is asked.
 */
function anthropicTurns(messages: readonly ChatMessage[]): Turn[] {
  const turns: Turn[] = [];
  messages.forEach((m, i) => {
    switch (m.role) {
      case 'system':
        return;
      case 'user':
        return push(turns, { role: 'user', content: userContent(m, i) });
      case 'tool':
        return push(turns, {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: m.toolCallId, content: messageText(m) }],
        });
      case 'assistant': {
        if (!m.toolCalls) return push(turns, { role: 'assistant', content: messageText(m) });
        const text = messageText(m);
        const blocks: Block[] = text === '' ? [] : [{ type: 'text', text }];
        m.toolCalls.forEach((c, j) =>
          blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: toolInput(c.arguments, i, j) }),
        );
        return push(turns, { role: 'assistant', content: blocks });
      }
    }
  });
  return turns;
}

function push(turns: Turn[], turn: Turn): void {
  const last = turns.at(-1);
  if (last?.role !== turn.role) {
    turns.push(turn);
    return;
  }
  last.content = [...blocksOf(last.content), ...blocksOf(turn.content)];
}

function blocksOf(content: Turn['content']): Block[] {
  return typeof content === 'string' ? (content === '' ? [] : [{ type: 'text', text: content }]) : content;
}

function userContent(m: ChatMessage, i: number): Turn['content'] {
  if (!Array.isArray(m.content)) return messageText(m);
  return m.content.map((part, j): Block => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    const data = /^data:([^;,]+);base64,(.*)$/is.exec(part.url);
    if (!data) return { type: 'image', source: { type: 'url', url: part.url } };
    const mediaType = data[1].toLowerCase();
    if (!IMAGE_TYPES.includes(mediaType))
      throw cannotHonour('anthropic', `messages[${i}].content[${j}]`, mediaType, `it takes ${IMAGE_TYPES.join(', ')}`);
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data: data[2] } };
  });
}

/** A tool call's arguments as the object Messages wants for `input`. */
function toolInput(args: string, i: number, j: number): Record<string, unknown> {
  // Models write no arguments as an empty string as well as `{}`.
  if (args.trim() === '') return {};
  let input: unknown;
  try {
    input = JSON.parse(args);
  } catch {
    throw new ProviderError(`anthropic cannot send messages[${i}].toolCalls[${j}].arguments: not JSON`, false);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new ProviderError(`anthropic cannot send messages[${i}].toolCalls[${j}].arguments: not a JSON object`, false);
  return input as Record<string, unknown>;
}
