import {
  type ChatRequest,
  type Decision,
  type Features,
  type GenerationParams,
  type RoutePlan,
  RouterError,
  type RoutingMethod,
  contextText,
  extend,
  routingText,
} from '@switchyard/contracts';
import { MIN_EXAMPLES_TO_TUNE } from '../learned/tune-training';
import { type ResolvedTarget, mixKey, mixedSetting, resolveLearnedTarget, textHashUnit } from '../learned/calibration';
import { mulberry32 } from '../learned/sparse-linear-model';
import type { LearnedRouter } from '../learned/learned-router';
import { type CompiledPolicy, resolveTarget } from '../policy/compile-policy';
import {
  type ExplorationSettings,
  type LearnedSettings,
  type PlanSpec,
  type RouteTarget,
  type RoutingProfile,
  costAwareKnob,
} from '../policy/policy.schema';
import { profileLearnedSettings } from '../policy/profiles';
import { type CapabilityFilter, capabilityFilter, forReasoningModel, reasoningModels } from './capabilities';
import { matchRule } from './match-rule';
import { type RequestedModel, requestedModel } from './requested-model';

export interface DecisionInput {
  request: ChatRequest;
  tenant: string;
  features: Features;
}

/** The learned level, when the policy enables it and its artifact is loaded. */
export interface LearnedContext {
  router: LearnedRouter;
  settings: LearnedSettings;
  /** The settings' `target` resolved on the router's calibration (see `learnedContext`). */
  mix?: ResolvedTarget;
  /** The level under each routing profile that sets its knob, resolved with the policy (see `learnedContext`). */
  profiles?: ReadonlyMap<string, LearnedContext>;
}

/**
 * The learned level of a policy: the router with its settings, a `target` resolved once on the router's
 * calibration, and so for each of the policy's `profiles` that sets the learned knob (given, a profile the
 * router cannot serve is refused here, at load; left out, each is resolved on its first request). Throws,
 * naming the problem, when a target cannot be served by this router.
 */
export function learnedContext(
  router: LearnedRouter,
  settings: LearnedSettings,
  profiles?: Readonly<Record<string, RoutingProfile>>,
): LearnedContext {
  const context = resolvedLearned(router, settings);
  if (!profiles) return context;
  const resolved = new Map<string, LearnedContext>();
  for (const [name, profile] of Object.entries(profiles)) {
    if (profile.route) continue;
    try {
      resolved.set(name, resolvedLearned(router, profileLearnedSettings(settings, profile)));
    } catch (err) {
      throw new Error(`profiles.${name}: ${(err as Error).message}`);
    }
  }
  return { ...context, profiles: resolved };
}

function resolvedLearned(router: LearnedRouter, settings: LearnedSettings): LearnedContext {
  if (!settings.target) return { router, settings };
  const calibration = router.artifact.calibration;
  if (!calibration)
    throw new Error(
      `router ${router.version} has no calibration (trained from partial labels or on fewer than ${MIN_EXAMPLES_TO_TUNE} examples): set costWeight instead of target`,
    );
  return { router, settings, mix: resolveLearnedTarget(calibration, settings.target) };
}

// Profiles resolved on first use, for contexts built without them (one resolution per router and profile).
const lateProfiles = new WeakMap<LearnedContext, Map<string, LearnedContext>>();

/** The learned level under a profile that sets its knob. */
function learnedUnder(learned: LearnedContext, name: string, profile: RoutingProfile): LearnedContext {
  const ready = learned.profiles?.get(name);
  if (ready) return ready;
  let late = lateProfiles.get(learned);
  if (!late) lateProfiles.set(learned, (late = new Map()));
  let context = late.get(name);
  if (!context) {
    try {
      context = resolvedLearned(learned.router, profileLearnedSettings(learned.settings, profile));
    } catch (err) {
      throw new RouterError(
        'no_route',
        `routing profile "${name}" cannot be served by router ${learned.router.version}: ${(err as Error).message}`,
        'model',
      );
    }
    late.set(name, context);
  }
  return context;
}

/** One model the engine may route to, with why; the engine takes the first one that is available. */
export interface RouteOption {
  /** The model to reserve; for a multi-model plan, its lead (first cascade tier, consensus escalation). */
  model: string;
  method: RoutingMethod;
  reason: string;
  rule?: string;
  params: GenerationParams;
  /** A rule's cascade or consensus strategy. */
  plan?: PlanSpec;
  /** The difficulty band whose traffic this is (`< 0.5`), when no rule matched. */
  band?: string;
  /** The probability the policy chose this option with, under exploration. */
  propensity?: number;
  /** Under exploration, the model the policy itself chose (what an off-policy evaluation of it replays). */
  policyChoice?: string;
  /**
   * Models taken out because they cannot honour the request, and why: one list for every option of a
   * request, growing as the options are walked. Absent when the request needs nothing some model lacks.
   */
  filtered?: ReadonlyArray<{ model: string; why: string }>;
  /** The routing profile the caller asked for (`model: "auto:<profile>"`). */
  profile?: string;
}

/** Time the L1 rules of one request may take before the rest are skipped (RE2 keeps each one linear). */
export const DEFAULT_RULE_BUDGET_MS = 25;

export interface RouteLimits {
  /** Once the rules have taken this long, the rest are skipped and the next level decides. */
  ruleBudgetMs?: number;
  /** Milliseconds, monotonic (tests give their own). */
  now?: () => number;
  /**
   * Uniform numbers in [0, 1) for the policy's exploration; without it nothing is explored (offline
   * evaluation replays the policy's own choices).
   */
  random?: () => number;
}

/**
 * Every place a request may go, in order of preference, following the seed's ProductionRouter: L1 rules
 * (first match), L2 difficulty bands, L3 the learned router, the policy default when no level decided,
 * then the fallback order (cheapest first unless the policy says otherwise), each model once. Lazy:
 * decision-engine stops at the first available model, so the learned router only runs when the levels
 * before it produced nothing usable. Pure: offline evaluation takes the first entry.
 *
 * Every option after a rule matched carries the rule's name (a fallback from it is still its traffic);
 * without a rule, the difficulty band's. Under the policy's exploration (`limits.random` given), a share of
 * requests first gets another candidate, chosen at random, with its propensity.
 *
 * The request's `model` may pin one model of the policy (it comes first, then the fallback order) or ask
 * for a routing profile (`auto:<name>`: its route in place of the levels, or its knob for the learned
 * level). Every level only sees the models able to honour the request (capabilities, context window):
 * the others are taken out before any level decides and listed on each option (`filtered`); a rule whose
 * model is taken out falls through to the next level. Throws a RouterError `invalid_request` when no model
 * can honour the request, or the pinned one cannot, or `model` names no model or profile of the policy.
 */
export function routeOptions(
  policy: CompiledPolicy,
  input: DecisionInput,
  learned?: LearnedContext,
  limits: RouteLimits = {},
): Generator<RouteOption> {
  const asked = requestedModel(policy, input.request.model);
  const filter = capabilityFilter(policy, input.request, input.features);
  filter?.takeOut(asked.kind === 'pinned' ? asked.model : undefined);
  const levels = levelOptions(policy, input, learned, limits, asked, filter);
  const exploration = policy.document.exploration;
  // Without exploration the levels' own generator, with no layer in between (this is the hot path). A
  // pinned model is the caller's choice, not the policy's: nothing to explore.
  if (!exploration || !(exploration.percent > 0) || !limits.random || asked.kind === 'pinned') return levels;
  return exploring(levels, policy, input, exploration, limits.random, filter);
}

function* exploring(
  levels: Generator<RouteOption>,
  policy: CompiledPolicy,
  input: DecisionInput,
  exploration: ExplorationSettings,
  random: () => number,
  filter: CapabilityFilter | undefined,
): Generator<RouteOption> {
  const first = levels.next();
  if (first.done) return;
  const chosen = first.value;
  const share = exploration.percent / 100;
  const candidates = explorationCandidates(policy, exploration).filter(
    (m) => m !== chosen.model && !filter?.reject(m, chosen.params.maxTokens),
  );
  if (candidates.length === 0) return yield* prepend(chosen, levels);
  if (random() >= share) return yield* prepend(extend(chosen, { propensity: 1 - share }), levels);
  const model = candidates[Math.min(candidates.length - 1, Math.floor(random() * candidates.length))];
  const explored: RouteOption = extend(
    option(
      model,
      reasoningModels(policy).has(model) ? forReasoningModel(chosen.params) : chosen.params,
      'explore',
      `exploration (${exploration.percent}% of requests, 1 of ${candidates.length} candidates) instead of ${chosen.model}: ${chosen.reason}`,
      input.request,
      chosen.rule,
    ),
    { propensity: share / candidates.length, policyChoice: chosen.model },
  );
  if (chosen.band !== undefined) explored.band = chosen.band;
  if (chosen.filtered !== undefined) explored.filtered = chosen.filtered;
  if (chosen.profile !== undefined) explored.profile = chosen.profile;
  yield explored;
  for (const o of prepend(chosen, levels)) if (o.model !== model) yield o;
}

function* prepend(first: RouteOption, rest: Iterator<RouteOption>): Generator<RouteOption> {
  yield first;
  for (let next = rest.next(); !next.done; next = rest.next()) yield next.value;
}

/** The models exploration may send a request to: the policy's (or the listed ones), under the price ceiling. */
export function explorationCandidates(policy: CompiledPolicy, exploration: ExplorationSettings): string[] {
  const ceiling = exploration.maxPriceUsdPerMTok ?? Infinity;
  return (exploration.models ?? [...policy.models.keys()]).filter((id) => {
    const m = policy.models.get(id);
    return m !== undefined && m.priceUsdPerMTok.input + m.priceUsdPerMTok.output <= ceiling;
  });
}

function* levelOptions(
  policy: CompiledPolicy,
  input: DecisionInput,
  learned: LearnedContext | undefined,
  limits: RouteLimits,
  asked: RequestedModel,
  filter: CapabilityFilter | undefined,
): Generator<RouteOption> {
  // Said on every later option, so the decision tells why no rule decided.
  let note = '';
  const seen = new Set<string>();
  let first: string | undefined;
  // The rule that matched, or else the band: whose traffic every later option serves.
  let owner: { rule?: string; band?: string } = {};
  const reasoning = reasoningModels(policy);
  // What every option of this request carries besides its own (none on the usual request).
  const tags: Pick<RouteOption, 'filtered' | 'profile'> | undefined =
    filter || asked.kind === 'profile'
      ? {
          ...(filter ? { filtered: filter.filtered } : {}),
          ...(asked.kind === 'profile' ? { profile: asked.name } : {}),
        }
      : undefined;
  function* emit(options: Iterable<RouteOption>): Generator<RouteOption> {
    for (const candidate of options) {
      if (seen.has(candidate.model)) continue;
      // Only the models able to honour the request; a plan keeps its able ones.
      const o = filter ? capableOption(policy, filter, candidate) : candidate;
      if (!o || seen.has(o.model)) continue;
      seen.add(o.model);
      first ??= o.model;
      // A copy only when the owner adds something (a copy per option measurably slowed the decision), made
      // with Object.assign and plain stores: `{ ...owner, ...o }` took V8's slow path for the second spread and
      // cost several times the rest of planning (tools/probes/object-spread-cost.cjs: about 10 µs an option
      // against 0.1-0.4); `{ ...o }` twice what Object.assign does (measured on planRoute).
      let owned: RouteOption =
        (owner.rule === undefined || o.rule !== undefined) && (owner.band === undefined || o.band !== undefined)
          ? o
          : withOwner(o, owner);
      if (note) owned = { ...owned, reason: `${o.reason}${note}` };
      if (tags) owned = extend(owned, tags);
      if (reasoning.size > 0 && reasoning.has(owned.model))
        owned = { ...owned, params: forReasoningModel(owned.params) };
      yield owned;
    }
  }
  const target = (t: RouteTarget, params: GenerationParams, method: RoutingMethod, reason: string, rule?: string) =>
    resolveTarget(policy, t).map((model) => option(model, params, method, reason, input.request, rule));
  const fallback = (after: string | undefined) => {
    const reason =
      after === undefined ? "fallback order: no level's model can honour the request" : `fallback order after ${after}`;
    return policy.fallbackOrder.map((model) => option(model, {}, 'fallback', reason, input.request));
  };

  if (asked.kind === 'pinned') {
    // takeOut() refused the request if the pinned model could not honour it.
    yield* emit([option(asked.model, {}, 'pinned', `the caller asked for ${asked.model}`, input.request)]);
    yield* emit(fallback(`pinned model ${asked.model}`));
    return;
  }
  const route = asked.kind === 'profile' ? asked.profile.route : undefined;
  if (asked.kind === 'profile' && route) {
    // A profile with a route takes the place of every level.
    const to = 'model' in route ? route.model : `tier ${route.tier}`;
    yield* emit(target(route, asked.profile.params ?? {}, 'rule', `profile "${asked.name}" routes to ${to}`));
  } else {
    const text = routingText(input.request.messages);
    const now = limits.now ?? (() => performance.now());
    const budget = limits.ruleBudgetMs ?? DEFAULT_RULE_BUDGET_MS;
    const ruleInput = { request: input.request, tenant: input.tenant, text, lowerText: text.toLowerCase() };
    const started = now();
    for (const [k, compiled] of policy.rules.entries()) {
      if (k > 0 && now() - started > budget) {
        note = `; rules after "${policy.rules[k - 1].rule.name}" skipped: over the ${budget} ms rule budget`;
        break;
      }
      const why = matchRule(compiled, ruleInput);
      if (why === undefined) continue;
      const { rule } = compiled;
      const reason = `rule "${rule.name}" matched (${why})`;
      owner = { rule: rule.name };
      if (rule.plan)
        yield* emit([
          {
            ...option(planLead(policy, rule.plan), rule.params, 'rule', reason, input.request, rule.name),
            plan: rule.plan,
          },
        ]);
      else if (rule.route) yield* emit(target(rule.route, rule.params, 'rule', reason, rule.name));
      // Its models cannot honour the request: the next level decides, as when they are out of quota.
      if (first === undefined && filter) {
        const models = rule.plan?.models ?? (rule.route ? resolveTarget(policy, rule.route) : []);
        const maxTokens = { ...rule.params, ...input.request.params }.maxTokens;
        note = `; rule "${rule.name}" matched, but ${models
          .flatMap((m) => {
            const r = filter.rejection(m, maxTokens);
            return r ? [`${m} ${r.why}`] : [];
          })
          .join(', ')}`;
      }
      break;
    }

    const difficulty = policy.document.difficulty;
    if (difficulty?.enabled) {
      const d = input.features.difficulty;
      const i = difficulty.bands.findIndex((b) => b.below === undefined || d < b.below);
      const band = difficulty.bands[i < 0 ? difficulty.bands.length - 1 : i];
      const label = bandLabel(difficulty.bands, i < 0 ? difficulty.bands.length - 1 : i);
      if (owner.rule === undefined) owner = { band: label };
      yield* emit(target(band.route, band.params, 'difficulty', `difficulty ${d} in band ${label}`));
    }

    if (learned && learned.settings.enabled) {
      const level = asked.kind === 'profile' ? learnedUnder(learned, asked.name, asked.profile) : learned;
      yield* emit(learnedOptions(policy, input, text, level, filter));
    }

    if (first === undefined)
      yield* emit(
        target(
          policy.document.default.route,
          policy.document.default.params,
          'rule',
          'no rule matched; policy default',
          'default',
        ),
      );
  }

  yield* emit(fallback(first));
  // The models able to honour the request were all left out by the routes' own maxTokens.
  if (first === undefined && filter) throw filter.noModelError();
}

/** A copy of `o` serving the traffic of `owner`'s rule or band where it names none of its own. */
function withOwner(o: RouteOption, owner: { rule?: string; band?: string }): RouteOption {
  const copy: RouteOption = Object.assign({}, o);
  if (copy.rule === undefined && owner.rule !== undefined) copy.rule = owner.rule;
  if (copy.band === undefined && owner.band !== undefined) copy.band = owner.band;
  return copy;
}

/**
 * An option restricted to the models able to honour the request: itself, a plan without its unable models
 * (a cascade of the rest, a consensus of the rest when they still make a quorum), or nothing.
 */
function capableOption(policy: CompiledPolicy, filter: CapabilityFilter, o: RouteOption): RouteOption | undefined {
  const maxTokens = o.params.maxTokens;
  const spec = o.plan;
  if (!spec) return filter.reject(o.model, maxTokens) ? undefined : o;
  const able = spec.models.filter((m) => !filter.reject(m, maxTokens));
  if (spec.kind === 'cascade') {
    if (able.length === spec.models.length) return o;
    if (able.length === 0) return undefined;
    if (able.length === 1) {
      const { plan: _plan, ...single } = o;
      return { ...single, model: able[0] };
    }
    return { ...o, model: able[0], plan: { ...spec, models: able } };
  }
  const escalates = spec.escalateTo !== undefined && !filter.reject(spec.escalateTo, maxTokens);
  if (able.length === spec.models.length && (spec.escalateTo === undefined || escalates)) return o;
  if (able.length < spec.quorum) return undefined;
  const { escalateTo, ...rest } = spec;
  const plan: PlanSpec = escalates ? { ...rest, models: able, escalateTo } : { ...rest, models: able };
  return { ...o, model: planLead(policy, plan), plan };
}

/** All of routeOptions, computed eagerly. */
export function planRoute(
  policy: CompiledPolicy,
  input: DecisionInput,
  learned?: LearnedContext,
  limits?: RouteLimits,
): RouteOption[] {
  return [...routeOptions(policy, input, learned, limits)];
}

/**
 * The models the learned router may choose in cost-aware mode, each with what a call would cost for this
 * request: its input tokens (the whole conversation, not only the routed message: a long one is paid for at
 * each model's input price), the model's usual answer length, the policy's prices. Every one the policy
 * serves, with quota or not (availability is decided after), so the cost weight means the same whatever is left.
 */
export function pricedCandidates(
  policy: CompiledPolicy,
  router: LearnedRouter,
  inputTokens: number,
): Array<{ model: string; costUsd: number }> {
  return router.models.flatMap((model) => {
    const spec = policy.models.get(model);
    return spec ? [{ model, costUsd: router.expectedCostUsd(inputTokens, model, spec.priceUsdPerMTok) }] : [];
  });
}

function learnedOptions(
  policy: CompiledPolicy,
  input: DecisionInput,
  text: string,
  learned: LearnedContext,
  filter: CapabilityFilter | undefined,
): RouteOption[] {
  const { router, settings } = learned;
  // The router chooses among the models able to honour the request (its options have the caller's maxTokens).
  const maxTokens = input.request.params?.maxTokens;
  const able = filter ? (model: string) => !filter.rejection(model, maxTokens) : undefined;
  // The conversation before the routed message, built only for a router that weighs it: others pay nothing.
  const context = router.usesContext ? contextText(input.request.messages) : undefined;
  if (settings.mode === 'cost-aware') {
    const setting = learned.mix ? mixedSetting(learned.mix, mixKey(text, context)) : costAwareKnob(settings);
    // A target's mix may send its share to one model alone (the calibration's hull passes through it).
    if ('model' in setting && policy.models.has(setting.model) && (!able || able(setting.model)))
      return [
        option(
          setting.model,
          {},
          'learned',
          `learned ${router.version}: target mix, this share of requests to ${setting.model}`,
          input.request,
        ),
      ];
    const priced = pricedCandidates(policy, router, input.features.tokenEstimate);
    const predicted = router.predictQuality(text, input.request.hints?.task, context);
    // Models unable to honour the request predicted worst of all rather than left out: the cost weight is
    // still in units of the dearest model's cost, whichever models the request leaves.
    const quality = able
      ? Float64Array.from(predicted.quality, (q, i) => (able(router.models[i]) ? q : -Infinity))
      : predicted.quality;
    const choice = router.chooseCostAware({ quality }, priced, 'model' in setting ? { costWeight: 0 } : setting);
    return choice
      ? [option(choice.model, {}, 'learned', `learned ${router.version}: ${choice.reason}`, input.request)]
      : [];
  }
  const candidates = router.models.filter((model) => policy.models.has(model) && (!able || able(model)));
  const choice = router.chooseClassifier(
    router.predictBest(text, input.request.hints?.task, context),
    new Set(candidates),
    settings.confidenceThreshold,
  );
  if (choice)
    return [option(choice.model, {}, 'learned', `learned ${router.version}: ${choice.reason}`, input.request)];
  if (!settings.fallback) return [];
  return resolveTarget(policy, settings.fallback).map((model) =>
    option(
      model,
      {},
      'learned',
      `learned ${router.version}: classifier below confidence ${settings.confidenceThreshold}; premium fallback`,
      input.request,
    ),
  );
}

function option(
  model: string,
  params: GenerationParams,
  method: RoutingMethod,
  reason: string,
  request: ChatRequest,
  rule?: string,
): RouteOption {
  // The caller's own generation params win over the policy's defaults for the route.
  const o: RouteOption = { model, method, reason, params: { ...params, ...request.params } };
  if (rule !== undefined) o.rule = rule;
  return o;
}

/** The model a multi-model plan is reserved and escalated by. */
export function planLead(policy: CompiledPolicy, plan: PlanSpec): string {
  if (plan.kind === 'cascade') return plan.models[0];
  if (plan.escalateTo !== undefined) return plan.escalateTo;
  const price = (id: string) => {
    const m = policy.models.get(id);
    return m ? m.priceUsdPerMTok.input + m.priceUsdPerMTok.output : 0;
  };
  return plan.models.reduce((a, b) => (price(b) > price(a) ? b : a));
}

/**
 * The route plan of an option with `available` models: a single model, or the cascade from its first
 * available tier, or the consensus of the available voters (none when fewer than the quorum are left).
 */
export function planOf(
  policy: CompiledPolicy,
  chosen: RouteOption,
  available: readonly string[] = chosen.plan?.models ?? [chosen.model],
): RoutePlan | undefined {
  const spec = chosen.plan;
  if (!spec) return available.includes(chosen.model) ? { kind: 'single', model: chosen.model } : undefined;
  if (spec.kind === 'cascade') {
    const start = spec.models.findIndex((m) => available.includes(m));
    if (start < 0) return undefined;
    const tiers = spec.models.slice(start);
    if (tiers.length < 2) return { kind: 'single', model: tiers[0] };
    const plan: RoutePlan = { kind: 'cascade', model: tiers[0], models: tiers, acceptance: spec.acceptance };
    if (spec.maxCostUsd !== undefined) plan.maxCostUsd = spec.maxCostUsd;
    if (spec.acceptGrade !== undefined) plan.acceptGrade = spec.acceptGrade;
    return plan;
  }
  const voters = spec.models.filter((m) => available.includes(m));
  if (voters.length < spec.quorum) return undefined;
  const lead = spec.escalateTo ?? planLead(policy, { ...spec, models: voters });
  return { kind: 'consensus', model: lead, models: voters, quorum: spec.quorum, onDisagreement: spec.onDisagreement };
}

/** The decision for a chosen option and its plan (all of the option's models by default), with what else was considered. */
export function toDecision(
  policy: CompiledPolicy,
  chosen: RouteOption,
  considered: readonly RouteOption[],
  learned?: LearnedContext,
  plan: RoutePlan = planOf(policy, chosen) ?? { kind: 'single', model: chosen.model },
): Decision {
  const decision: Decision = {
    plan,
    method: chosen.method,
    reason: chosen.reason,
    params: chosen.params,
    policyVersion: policy.version,
    alternatives: considered.map((o) => o.model),
  };
  if (chosen.rule !== undefined) decision.rule = chosen.rule;
  else if (chosen.band !== undefined) decision.band = chosen.band;
  if (chosen.propensity !== undefined) decision.propensity = chosen.propensity;
  if (chosen.policyChoice !== undefined) decision.policyChoice = chosen.policyChoice;
  if (learned?.settings.enabled) decision.learnedModelVersion = learned.router.version;
  if (chosen.profile !== undefined) decision.profile = chosen.profile;
  if (chosen.filtered !== undefined && chosen.filtered.length > 0) {
    // Not the plan's own models: one taken out of a route for its maxTokens may serve a later option.
    const planned = plan.kind === 'single' ? [plan.model] : [plan.model, ...plan.models];
    const filtered = chosen.filtered.filter((f) => !planned.includes(f.model));
    if (filtered.length > 0) decision.filtered = filtered;
  }
  return decision;
}

/** The decision when every model is available: the first option. What offline evaluation replays. */
export function decideRoute(policy: CompiledPolicy, input: DecisionInput, learned?: LearnedContext): Decision {
  const first = routeOptions(policy, input, learned).next();
  if (first.done) throw new Error(`policy ${policy.version} names no model`);
  return toDecision(policy, first.value, [first.value], learned);
}

/** How decisions, records and rollups name a difficulty band: `< 0.5`, or `>= 0.8` for the last. */
export function bandLabel(bands: ReadonlyArray<{ below?: number }>, i: number): string {
  const floor = i > 0 ? (bands[i - 1].below ?? 0) : 0;
  const below = bands[i].below;
  return below === undefined ? `>= ${floor}` : `< ${below}`;
}

/**
 * The draws of one request's exploration: a generator seeded by its tenant and request id, so every replica,
 * a caller's retry under the same id, and a re-decision of logged traffic explore alike, while over distinct
 * requests the draws are uniform as Math.random's (the explored share and the logged propensities hold).
 */
export function explorationDraws(tenant: string, requestId: string): () => number {
  // Seeded on the first draw: a policy that does not explore never draws, and pays nothing for the hash.
  let draw: (() => number) | undefined;
  return () => (draw ??= mulberry32(Math.floor(textHashUnit(`explore\u0000${tenant}\u0000${requestId}`) * 2 ** 32)))();
}
