/** What the instant upstream answers every chat completion with; a reply through any gateway must carry it. */
export const UPSTREAM_CONTENT = 'Paris is the capital of France.';

/** The request every target gets: a short question the seed rules and bands send to the cheap tier. */
export const BENCH_REQUEST = {
  model: 'auto',
  messages: [{ role: 'user', content: 'What is the capital of France? Please answer briefly.' }],
} as const;

/** A complete, valid OpenAI chat.completion for `model`, as a provider that needs no time would send it. */
export function instantCompletion(model: string, id: string, createdSeconds: number) {
  return {
    id,
    object: 'chat.completion' as const,
    created: createdSeconds,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: UPSTREAM_CONTENT },
        finish_reason: 'stop' as const,
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 14, completion_tokens: 7, total_tokens: 21 },
  };
}

/** Where a gateway says the time went (Switchyard's `switchyard.latency`), in ms. */
export interface ReportedLatency {
  totalMs: number;
  routingMs: number;
  providerMs: number;
}

export type CompletionCheck = { ok: true; model: string; reported?: ReportedLatency } | { ok: false; reason: string };

/**
 * Whether a reply is a good answer from the instant upstream: a 2xx chat.completion whose message is the
 * upstream's. A gateway that answered from anywhere else (a cache, a simulated provider, an error page
 * with status 200) fails here, so every request counted was really forwarded.
 */
export function checkCompletion(status: number, text: string): CompletionCheck {
  if (status < 200 || status > 299) return { ok: false, reason: `HTTP ${status}: ${text.slice(0, 160)}` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, reason: `HTTP ${status} with a body that is not JSON (${text.length} bytes)` };
  }
  const reply = body as {
    object?: unknown;
    model?: unknown;
    choices?: Array<{ message?: { role?: unknown; content?: unknown } }>;
    switchyard?: { latency?: Partial<Record<keyof ReportedLatency, unknown>> };
  };
  if (reply.object !== 'chat.completion') return { ok: false, reason: `object is ${String(reply.object)}` };
  const message = Array.isArray(reply.choices) ? reply.choices[0]?.message : undefined;
  if (message?.role !== 'assistant' || message.content !== UPSTREAM_CONTENT)
    return { ok: false, reason: `choices[0].message is not the upstream's answer: ${JSON.stringify(message)}` };
  const model = typeof reply.model === 'string' ? reply.model : '?';
  const latency = reply.switchyard?.latency;
  if (
    typeof latency?.totalMs === 'number' &&
    typeof latency.routingMs === 'number' &&
    typeof latency.providerMs === 'number'
  )
    return {
      ok: true,
      model,
      reported: { totalMs: latency.totalMs, routingMs: latency.routingMs, providerMs: latency.providerMs },
    };
  return { ok: true, model };
}
