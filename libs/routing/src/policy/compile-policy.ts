import { type ModelSpec, TENANT_PATTERN, TENANT_RULE } from '@switchyard/contracts';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { KeywordMatcher } from '../features/keyword-matcher';
import { PolicyError } from './policy-error';
import { checkProfiles } from './profiles';
import { type PolicyDocument, type RouteTarget, type Rule, policySchema } from './policy.schema';
import { SafeRegex } from './safe-regex';

export interface CompiledRule {
  rule: Rule;
  keywords?: KeywordMatcher;
  regex?: SafeRegex;
  taskIn?: ReadonlySet<string>;
  tenantIn?: ReadonlySet<string>;
}

export interface CompiledPolicy {
  version: string;
  document: PolicyDocument;
  models: ReadonlyMap<string, ModelSpec>;
  rules: CompiledRule[];
  /** Model ids of each tier, in policy order. */
  tiers: ReadonlyMap<string, string[]>;
  /** Where to go when the chosen model is unavailable: the policy's fallbackOrder, or every model cheapest first. */
  fallbackOrder: string[];
}

/** Parses policy YAML (or JSON, a subset of YAML) and compiles it; throws PolicyError naming every bad field. */
export function parsePolicy(text: string): CompiledPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new PolicyError([{ field: '(document)', message: `not valid YAML: ${(err as Error).message}` }]);
  }
  return compilePolicy(raw);
}

export function compilePolicy(raw: unknown): CompiledPolicy {
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) throw new PolicyError(parsed.error.issues.map(schemaProblem));
  const doc = parsed.data;
  const problems: Array<{ field: string; message: string }> = [];
  const models = new Map<string, ModelSpec>();
  const tiers = new Map<string, string[]>();
  doc.models.forEach((m, i) => {
    if (models.has(m.id)) problems.push({ field: `models.${i}.id`, message: `duplicate model id "${m.id}"` });
    models.set(m.id, m);
    tiers.set(m.tier, [...(tiers.get(m.tier) ?? []), m.id]);
  });

  const checkTarget = (target: RouteTarget, field: string) => {
    if ('model' in target && !models.has(target.model))
      problems.push({
        field: `${field}.model`,
        message: `unknown model "${target.model}"; known: ${[...models.keys()].join(', ')}`,
      });
    if ('tier' in target && !tiers.has(target.tier))
      problems.push({
        field: `${field}.tier`,
        message: `no model has tier "${target.tier}"; tiers: ${[...tiers.keys()].join(', ')}`,
      });
  };

  const names = new Set<string>();
  const rules: CompiledRule[] = [];
  doc.rules.forEach((rule, i) => {
    const field = `rules.${i}`;
    if (names.has(rule.name)) problems.push({ field: `${field}.name`, message: `duplicate rule name "${rule.name}"` });
    names.add(rule.name);
    if (rule.route) checkTarget(rule.route, `${field}.route`);
    if (rule.plan) {
      const plan = rule.plan;
      plan.models.forEach((m, j) => {
        if (!models.has(m)) problems.push({ field: `${field}.plan.models.${j}`, message: `unknown model "${m}"` });
      });
      if (new Set(plan.models).size !== plan.models.length)
        problems.push({ field: `${field}.plan.models`, message: 'a model is listed twice' });
      if (plan.kind === 'cascade' && plan.acceptGrade !== undefined && !doc.judge)
        problems.push({
          field: `${field}.plan.acceptGrade`,
          message:
            'accepting by a judge grade needs the policy\'s judge: add a "judge" section naming the grading model',
        });
      if (plan.kind === 'consensus') {
        if (plan.quorum > plan.models.length)
          problems.push({
            field: `${field}.plan.quorum`,
            message: `quorum ${plan.quorum} is more than the ${plan.models.length} models`,
          });
        if (plan.escalateTo !== undefined && !models.has(plan.escalateTo))
          problems.push({ field: `${field}.plan.escalateTo`, message: `unknown model "${plan.escalateTo}"` });
      }
    }
    const w = rule.when;
    if (w.minChars !== undefined && w.maxChars !== undefined && w.minChars > w.maxChars)
      problems.push({ field: `${field}.when.minChars`, message: 'minChars is greater than maxChars' });
    const compiled: CompiledRule = { rule };
    if (w.keywordsAny) compiled.keywords = new KeywordMatcher(w.keywordsAny);
    if (w.regex !== undefined) {
      try {
        compiled.regex = new SafeRegex(w.regex, w.regexFlags ?? '');
      } catch (err) {
        problems.push({ field: `${field}.when.regex`, message: (err as Error).message });
      }
    }
    if (w.taskIn) compiled.taskIn = new Set(w.taskIn);
    if (w.tenantIn) compiled.tenantIn = new Set(w.tenantIn);
    if (rule.enabled) rules.push(compiled);
  });

  if (doc.difficulty) {
    const bands = doc.difficulty.bands;
    bands.forEach((band, i) => {
      const field = `difficulty.bands.${i}`;
      checkTarget(band.route, `${field}.route`);
      const last = i === bands.length - 1;
      if (last && band.below !== undefined)
        problems.push({ field: `${field}.below`, message: 'the last band takes the rest: leave out "below"' });
      if (!last && band.below === undefined)
        problems.push({ field: `${field}.below`, message: 'every band but the last needs "below"' });
      const prev = i > 0 ? bands[i - 1].below : undefined;
      if (prev !== undefined && band.below !== undefined && band.below <= prev)
        problems.push({ field: `${field}.below`, message: `must be greater than the previous band's ${prev}` });
    });
  }
  checkTarget(doc.default.route, 'default.route');
  if (doc.learned?.fallback) checkTarget(doc.learned.fallback, 'learned.fallback');
  checkProfiles(doc, models, checkTarget, (field, message) => problems.push({ field, message }));
  for (const section of ['tenants', 'rates'] as const)
    for (const tenant of Object.keys(doc.quotas?.[section] ?? {}))
      if (tenant !== '*' && !TENANT_PATTERN.test(tenant))
        problems.push({
          field: `quotas.${section}.${tenant}`,
          message: `"${tenant}" is not a tenant name: ${TENANT_RULE}, or "*"`,
        });
  for (const model of Object.keys(doc.quotas?.models ?? {}))
    if (!models.has(model)) problems.push({ field: `quotas.models.${model}`, message: `unknown model "${model}"` });
  (doc.exploration?.models ?? []).forEach((model, i) => {
    if (!models.has(model)) problems.push({ field: `exploration.models.${i}`, message: `unknown model "${model}"` });
  });
  if (doc.judge && !models.has(doc.judge.model))
    problems.push({
      field: 'judge.model',
      message: `unknown model "${doc.judge.model}"; the judge must be one of the policy's models: ${[...models.keys()].join(', ')}`,
    });
  (doc.fallbackOrder ?? []).forEach((model, i) => {
    if (!models.has(model)) problems.push({ field: `fallbackOrder.${i}`, message: `unknown model "${model}"` });
  });
  const unitPrice = (m: ModelSpec) => m.priceUsdPerMTok.input + m.priceUsdPerMTok.output;
  const fallbackOrder =
    doc.fallbackOrder ?? [...models.values()].sort((a, b) => unitPrice(a) - unitPrice(b)).map((m) => m.id);

  if (problems.length > 0) throw new PolicyError(problems);
  return { version: doc.version, document: doc, models, rules, tiers, fallbackOrder };
}

/**
 * A schema issue as a problem at its field. One unknown key is named at its own path
 * (`rules.2.when.keywordAny: unknown key "keywordAny" (did you mean "keywordsAny"?)`); several in one
 * object share one problem at the object, the message naming each.
 */
function schemaProblem(issue: z.core.$ZodIssue): { field: string; message: string } {
  const path =
    issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? [...issue.path, issue.keys[0]] : issue.path;
  return { field: path.length ? path.map(String).join('.') : '(document)', message: issue.message };
}

/** The models a target names, in preference order. */
export function resolveTarget(policy: CompiledPolicy, target: RouteTarget): string[] {
  return 'model' in target ? [target.model] : (policy.tiers.get(target.tier) ?? []);
}
