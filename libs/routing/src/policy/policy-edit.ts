import { bandLabel } from '../decision/decide-route';
import type { CompiledPolicy } from './compile-policy';

/** A rule or a difficulty band, as rollups and rule review name them (`band < 0.5`). */
export interface RuleOrBand {
  kind: 'rule' | 'band';
  name: string;
}

/** The rules and bands a policy routes by, named as decisions record them: what rule review compares with. */
export function policyOutline(policy: CompiledPolicy): { version: string; rules: string[]; bands: string[] } {
  const bands = policy.document.difficulty?.enabled ? policy.document.difficulty.bands : [];
  return {
    version: policy.version,
    rules: policy.rules.map((r) => r.rule.name),
    bands: bands.map((_, i) => `band ${bandLabel(bands, i)}`),
  };
}

/**
 * A copy of a policy document (as parsed from its YAML, before defaults) in which one rule or band routes
 * to `model`, under a new version. Throws when the target or the model is not in the policy.
 */
export function withRoute(
  document: Record<string, unknown>,
  target: RuleOrBand,
  model: string,
  version: string,
): Record<string, unknown> {
  const doc = structuredClone(document);
  const models = Array.isArray(doc['models']) ? (doc['models'] as Array<{ id?: unknown }>) : [];
  if (!models.some((m) => m.id === model))
    throw new Error(`model "${model}" is not in policy ${String(doc['version'])}`);
  if (target.kind === 'rule') {
    const rules = Array.isArray(doc['rules']) ? (doc['rules'] as Array<Record<string, unknown>>) : [];
    const rule = rules.find((r) => r['name'] === target.name);
    if (!rule) throw new Error(`rule "${target.name}" is not in policy ${String(doc['version'])}`);
    delete rule['plan'];
    rule['route'] = { model };
  } else {
    const difficulty = doc['difficulty'] as { bands?: Array<Record<string, unknown>> } | undefined;
    const bands = difficulty?.bands ?? [];
    const i = bands.findIndex((_, k) => `band ${bandLabel(bands as Array<{ below?: number }>, k)}` === target.name);
    if (i < 0) throw new Error(`no difficulty band "${target.name}" in policy ${String(doc['version'])}`);
    bands[i]['route'] = { model };
  }
  doc['version'] = version;
  return doc;
}
