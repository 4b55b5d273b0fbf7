import {
  type ChatRequest,
  type Features,
  type GenerationParams,
  type ModelCapability,
  type ModelSpec,
  RouterError,
  estimateTokens,
} from '@switchyard/contracts';
import type { CompiledPolicy } from '../policy/compile-policy';
import { countPromptTokens } from './token-count';

/** Something a request asks for that only models with a capability honour, and the field that asks. */
export interface CapabilityNeed {
  capability: ModelCapability;
  /** Path of the field that needs it: `messages.1.content.0`, `tools`, `params.seed`. */
  field: string;
  /** What asks for it, for people: `messages.1.content.0 is an image`, `tools lists 2 functions`. */
  says: string;
}

/** Generation params a reasoning model refuses when the caller sets them (see MODEL_CAPABILITIES). */
export const REFUSED_BY_REASONING = ['temperature', 'topP', 'presencePenalty', 'frequencyPenalty', 'logprobs'] as const;
export type RefusedByReasoning = (typeof REFUSED_BY_REASONING)[number];

export interface RequestNeeds {
  /** The first field needing each capability, in the order the request's fields are read. */
  capabilities: readonly CapabilityNeed[];
  /** The caller's params that models with the `reasoning` capability refuse. */
  refusedByReasoning: readonly RefusedByReasoning[];
}

const NO_NEEDS: RequestNeeds = Object.freeze({ capabilities: [], refusedByReasoning: [] });

/**
 * What a request asks for beyond text in and text out, each with the field that asks: images (`vision`);
 * tools, a tool choice, tool calls or tool results in the conversation (`tools`); a JSON response format
 * (`json`); logprobs, several answers (`n`), a seed, penalties, a reasoning effort; and the caller's params
 * that reasoning models refuse. Allocates nothing for a request without any of them (the usual one).
 */
export function requestNeeds(request: ChatRequest): RequestNeeds {
  // `needs` stays undefined, and nothing is allocated, for the usual request.
  let needs: CapabilityNeed[] | undefined;
  const { tools, messages } = request;
  if (tools !== undefined)
    needs = add(needs, 'tools', 'tools', `tools lists ${tools.length} function${tools.length > 1 ? 's' : ''}`);
  if (request.toolChoice !== undefined) needs = add(needs, 'tools', 'toolChoice', 'toolChoice is set');
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (typeof m.content === 'string' && m.toolCalls === undefined && m.role !== 'tool') continue;
    if (Array.isArray(m.content)) {
      const j = m.content.findIndex((p) => p.type === 'image');
      if (j >= 0) needs = add(needs, 'vision', `messages.${i}.content.${j}`, `messages.${i}.content.${j} is an image`);
    }
    if (m.toolCalls !== undefined)
      needs = add(needs, 'tools', `messages.${i}.toolCalls`, `messages.${i} carries tool calls`);
    if (m.role === 'tool') needs = add(needs, 'tools', `messages.${i}.role`, `messages.${i} is a tool result`);
  }
  const format = request.responseFormat?.type;
  if (format === 'json_object' || format === 'json_schema')
    needs = add(needs, 'json', 'responseFormat', `responseFormat asks for ${format}`);
  const p = request.params;
  let refused: RefusedByReasoning[] | undefined;
  if (p !== undefined) {
    if (p.logprobs) needs = add(needs, 'logprobs', 'params.logprobs', 'params.logprobs is true');
    if (p.n !== undefined && p.n > 1) needs = add(needs, 'n', 'params.n', `params.n asks for ${p.n} answers`);
    if (p.seed !== undefined) needs = add(needs, 'seed', 'params.seed', 'params.seed is set');
    for (const penalty of ['presencePenalty', 'frequencyPenalty'] as const)
      if (p[penalty] !== undefined) needs = add(needs, 'penalties', `params.${penalty}`, `params.${penalty} is set`);
    if (p.reasoningEffort !== undefined)
      needs = add(needs, 'reasoning', 'params.reasoningEffort', 'params.reasoningEffort is set');
    for (const param of REFUSED_BY_REASONING) if (p[param] !== undefined) (refused ??= []).push(param);
  }
  if (needs === undefined && refused === undefined) return NO_NEEDS;
  return { capabilities: needs ?? [], refusedByReasoning: refused ?? [] };
}

/** `needs` with the capability's need added, unless an earlier field already needs it. */
function add(
  needs: CapabilityNeed[] | undefined,
  capability: ModelCapability,
  field: string,
  says: string,
): CapabilityNeed[] {
  const list = needs ?? [];
  if (!list.some((n) => n.capability === capability)) list.push({ capability, field, says });
  return list;
}

/** What one policy's models can do, computed once per compiled policy. */
interface PolicyCapabilities {
  /** Capabilities every model has: a need of one of them takes no model out. */
  universal: ReadonlySet<ModelCapability>;
  /** Models with the `reasoning` capability. */
  reasoning: ReadonlySet<string>;
  /** The smallest contextWindow a model declares (Infinity when none does). */
  minWindow: number;
  /** The largest maxTokens a route of the policy sets (its rules, bands, default and profiles). */
  maxRouteTokens: number;
}

const indexes = new WeakMap<CompiledPolicy, PolicyCapabilities>();

function indexOf(policy: CompiledPolicy): PolicyCapabilities {
  let index = indexes.get(policy);
  if (index) return index;
  const specs = [...policy.models.values()];
  const doc = policy.document;
  const routeParams: GenerationParams[] = [
    ...doc.rules.map((r) => r.params),
    ...(doc.difficulty?.bands ?? []).map((b) => b.params),
    doc.default.params,
    ...Object.values(doc.profiles ?? {}).map((p) => p.params ?? {}),
  ];
  index = {
    universal: new Set(
      specs.reduce<ModelCapability[]>((all, m) => all.filter((c) => m.capabilities.includes(c)), specs[0].capabilities),
    ),
    reasoning: new Set(specs.filter((m) => m.capabilities.includes('reasoning')).map((m) => m.id)),
    minWindow: Math.min(...specs.map((m) => m.contextWindow ?? Infinity)),
    maxRouteTokens: Math.max(0, ...routeParams.map((p) => p.maxTokens ?? 0)),
  };
  indexes.set(policy, index);
  return index;
}

/** The policy's models with the `reasoning` capability. */
export function reasoningModels(policy: CompiledPolicy): ReadonlySet<string> {
  return indexOf(policy).reasoning;
}

/**
 * Params as a reasoning model takes them: without the ones it refuses. Only the policy's can be left here
 * (a caller's take reasoning models out of the request's candidates).
 */
export function forReasoningModel(params: GenerationParams): GenerationParams {
  if (!REFUSED_BY_REASONING.some((p) => params[p] !== undefined) && params.topLogprobs === undefined) return params;
  const kept = { ...params };
  for (const p of REFUSED_BY_REASONING) delete kept[p];
  delete kept.topLogprobs;
  return kept;
}

/**
 * Share of a context window from which the estimate is no longer trusted: past it the prompt is counted
 * with the tokenizer (estimates are off by up to about a quarter on code and mixed scripts).
 */
export const EXACT_COUNT_FROM = 0.75;

/** Why a model cannot take a request, and the request's field to blame. */
export interface Rejection {
  why: string;
  field: string;
  /** The need, as the error naming every model's rejection says it. */
  need: string;
  /** The need's place among the request's (capabilities, then refused params, then the context). */
  rank: number;
}

/**
 * A request's needs against one policy's models: which cannot take it, and why. Built per request by
 * `capabilityFilter`, only when the request needs something some model lacks or comes near a context
 * window. Remembers every model it took out (`filtered`), in the order found.
 */
export class CapabilityFilter {
  /** Models taken out and why, first reason per model. */
  readonly filtered: Array<{ model: string; why: string }> = [];
  private readonly rejections: Rejection[] = [];
  private readonly recorded = new Set<string>();
  private readonly lacking = new Map<string, Rejection | null>();
  private exactTokens?: number;

  constructor(
    private readonly policy: CompiledPolicy,
    private readonly request: ChatRequest,
    readonly needs: readonly CapabilityNeed[],
    readonly refused: readonly RefusedByReasoning[],
    /** The prompt's estimated tokens, tool definitions included. */
    readonly estimate: number,
  ) {}

  /** Why `model` cannot take the request with `maxTokens` of output (none: the prompt alone), or undefined. */
  rejection(model: string, maxTokens: number | undefined): Rejection | undefined {
    const spec = this.policy.models.get(model);
    if (!spec) return undefined;
    let lacks = this.lacking.get(model);
    if (lacks === undefined) this.lacking.set(model, (lacks = this.capabilityRejection(spec) ?? null));
    return lacks ?? this.contextRejection(spec, maxTokens ?? 0);
  }

  /** Like `rejection`, and records a model taken out in `filtered`. */
  reject(model: string, maxTokens: number | undefined): Rejection | undefined {
    const r = this.rejection(model, maxTokens);
    if (r && !this.recorded.has(model)) {
      this.recorded.add(model);
      this.filtered.push({ model, why: r.why });
      this.rejections.push(r);
    }
    return r;
  }

  /**
   * Takes out, before any level decides, every model that cannot take the request whatever the route (with
   * the caller's maxTokens, or the prompt alone); throws the caller's error when none is left, or when the
   * model the caller pinned is one of them.
   */
  takeOut(pinned?: string): void {
    const maxTokens = this.request.params?.maxTokens;
    if (pinned !== undefined) {
      const r = this.rejection(pinned, maxTokens);
      if (r)
        throw new RouterError('invalid_request', `model "${pinned}" cannot honour this request: ${r.why}`, r.field);
    }
    let left = 0;
    for (const model of this.policy.models.keys()) if (!this.reject(model, maxTokens)) left++;
    if (left === 0) throw this.noModelError();
  }

  /** The caller's error when no model is left to take the request: each need no model met, each model's why. */
  noModelError(): RouterError {
    const ranked = [...this.rejections].sort((a, b) => a.rank - b.rank);
    const field = ranked[0]?.field ?? 'messages';
    const needs = ranked.length > 0 ? [...new Set(ranked.map((r) => r.need))] : ['this request'];
    return new RouterError(
      'invalid_request',
      `no model of policy ${this.policy.version} can honour ${needs.join(' and ')}; models: ${this.filtered
        .map((f) => `${f.model} (${f.why})`)
        .join(', ')}`,
      field,
    );
  }

  private capabilityRejection(spec: ModelSpec): Rejection | undefined {
    for (let i = 0; i < this.needs.length; i++) {
      const n = this.needs[i];
      if (!spec.capabilities.includes(n.capability))
        return {
          why: `lacks ${n.capability} (${n.says})`,
          field: n.field,
          need: `${n.field} (needs capability "${n.capability}")`,
          rank: i,
        };
    }
    if (this.refused.length > 0 && spec.capabilities.includes('reasoning')) {
      const param = this.refused[0];
      return {
        why: `refuses ${param} (reasoning model)`,
        field: `params.${param}`,
        need: `params.${param} (refused by reasoning models)`,
        rank: this.needs.length,
      };
    }
    return undefined;
  }

  private contextRejection(spec: ModelSpec, maxTokens: number): Rejection | undefined {
    const window = spec.contextWindow;
    if (window === undefined || this.estimate + maxTokens < EXACT_COUNT_FROM * window) return undefined;
    this.exactTokens ??= countPromptTokens(this.request);
    const prompt = this.exactTokens;
    if (prompt + maxTokens <= window) return undefined;
    const output = maxTokens > 0 ? ` + maxTokens ${fmt(maxTokens)}` : '';
    const verb = maxTokens > 0 ? 'exceed' : 'exceeds';
    // The caller's maxTokens is to blame when the prompt alone would fit.
    const field = this.request.params?.maxTokens !== undefined && prompt < window ? 'params.maxTokens' : 'messages';
    return {
      why: `prompt ~${fmt(prompt)} tokens${output} ${verb} contextWindow ${fmt(window)}`,
      field,
      need: `a prompt of ~${fmt(prompt)} tokens${output} (needs a larger contextWindow)`,
      rank: this.needs.length + 1,
    };
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * The filter for a request under a policy, or undefined when nothing can take a model out: the request
 * needs no capability some model lacks, sets no param a reasoning model of the policy refuses, and its
 * estimated prompt plus the largest maxTokens a route could give stays under EXACT_COUNT_FROM of the
 * smallest context window. That is the usual request, and all it costs is one pass over its fields.
 */
export function capabilityFilter(
  policy: CompiledPolicy,
  request: ChatRequest,
  features: Pick<Features, 'tokenEstimate'>,
): CapabilityFilter | undefined {
  const index = indexOf(policy);
  const found = requestNeeds(request);
  const needs =
    found.capabilities.length === 0
      ? found.capabilities
      : found.capabilities.filter((n) => !index.universal.has(n.capability));
  const refused = index.reasoning.size > 0 ? found.refusedByReasoning : NO_NEEDS.refusedByReasoning;
  let estimate = features.tokenEstimate;
  if (request.tools !== undefined) estimate += estimateTokens(JSON.stringify(request.tools));
  const near = estimate + (request.params?.maxTokens ?? index.maxRouteTokens) >= EXACT_COUNT_FROM * index.minWindow;
  if (needs.length === 0 && refused.length === 0 && !near) return undefined;
  return new CapabilityFilter(policy, request, needs, refused, estimate);
}
