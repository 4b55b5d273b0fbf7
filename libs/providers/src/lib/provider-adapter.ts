import type {
  ChatDelta,
  ChatMessage,
  ChatRequest,
  Choice,
  FinishReason,
  GenerationParams,
  ModelSpec,
  TokenLogprob,
  ToolCall,
} from '@switchyard/contracts';

export interface ProviderCall {
  requestId: string;
  model: ModelSpec;
  messages: readonly ChatMessage[];
  params: GenerationParams;
  /** The caller's tools, tool choice and answer format (routing chose a model able to honour them). */
  tools?: ChatRequest['tools'];
  toolChoice?: ChatRequest['toolChoice'];
  parallelToolCalls?: boolean;
  responseFormat?: ChatRequest['responseFormat'];
  /** The request's free-form labels, as the caller sent them. */
  metadata?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
  /** The model's credential, resolved by the caller from its configuration; adapters never log it. */
  apiKey?: string;
}

/** The parts of a request a provider call carries besides messages and params. */
export function requestExtras(
  request: ChatRequest,
): Pick<ProviderCall, 'tools' | 'toolChoice' | 'parallelToolCalls' | 'responseFormat' | 'metadata'> {
  const extras: ReturnType<typeof requestExtras> = {};
  if (request.tools) extras.tools = request.tools;
  if (request.toolChoice !== undefined) extras.toolChoice = request.toolChoice;
  if (request.parallelToolCalls !== undefined) extras.parallelToolCalls = request.parallelToolCalls;
  if (request.responseFormat) extras.responseFormat = request.responseFormat;
  if (request.metadata) extras.metadata = request.metadata;
  return extras;
}

export interface ProviderResult {
  content: string;
  finishReason: FinishReason;
  /** The tool calls the model asked for. */
  toolCalls?: ToolCall[];
  /** With `params.n` above 1: every answer, the first being this one. */
  choices?: Choice[];
  /** With `params.logprobs`: the first answer's tokens. */
  logprobs?: TokenLogprob[];
  /** Token usage as the provider reported it; absent when it reported none. */
  usage?: { inputTokens: number; outputTokens: number };
  /** What the provider billed, when it says; otherwise cost comes from usage and the policy's prices. */
  costUsd?: number;
}

/** A piece of a streamed answer: text, and pieces of tool calls (see ChatDelta). */
export type AnswerPiece = Pick<ChatDelta, 'delta' | 'toolCalls'>;

/** One implementation per provider kind; provider-adapters picks it by `ModelSpec.provider`. */
export interface ProviderAdapter {
  readonly kind: string;
  complete(call: ProviderCall): Promise<ProviderResult>;
  /**
   * The answer as it is written: calls `onPiece` with each piece, resolves with the whole result. Adapters
   * without it are streamed as one piece (see streamAnswer).
   */
  stream?(call: ProviderCall, onPiece: (piece: AnswerPiece) => void): Promise<ProviderResult>;
}

/** Streams through the adapter when it can, otherwise completes and sends the answer as one piece. */
export async function streamAnswer(
  adapter: ProviderAdapter,
  call: ProviderCall,
  onPiece: (piece: AnswerPiece) => void,
): Promise<ProviderResult> {
  if (adapter.stream) return adapter.stream(call, onPiece);
  const result = await adapter.complete(call);
  const piece: AnswerPiece = { delta: result.content };
  if (result.toolCalls?.length)
    piece.toolCalls = result.toolCalls.map((c, index) => ({ index, id: c.id, name: c.name, arguments: c.arguments }));
  if (piece.delta !== '' || piece.toolCalls) onPiece(piece);
  return result;
}
