import { AUTO_MODEL, type ModelSpec } from '@switchyard/contracts';
import {
  type LearnedSettings,
  PROFILE_NAME,
  type PolicyDocument,
  type RouteTarget,
  type RoutingProfile,
} from './policy.schema';

/**
 * Checks a policy's profiles (and the model ids `model: "auto…"` would shadow), reporting each problem at
 * its field: a bad name, a route naming no model or tier, learned settings without a cost-aware learned
 * level, a target of a model the policy lacks.
 */
export function checkProfiles(
  doc: PolicyDocument,
  models: ReadonlyMap<string, ModelSpec>,
  checkTarget: (target: RouteTarget, field: string) => void,
  problem: (field: string, message: string) => void,
): void {
  doc.models.forEach((m, i) => {
    if (m.id === AUTO_MODEL || m.id.startsWith(`${AUTO_MODEL}:`))
      problem(
        `models.${i}.id`,
        `"${m.id}" is reserved: a request's model "auto" or "auto:<profile>" asks Switchyard to choose`,
      );
  });
  for (const [name, profile] of Object.entries(doc.profiles ?? {})) {
    const field = `profiles.${name}`;
    if (!PROFILE_NAME.test(name)) problem(field, 'a profile name is lower-case letters, digits, _ or - (at most 64)');
    if (profile.route) {
      checkTarget(profile.route, `${field}.route`);
      continue;
    }
    const knob = profile.target !== undefined ? 'target' : profile.tolerance !== undefined ? 'tolerance' : 'costWeight';
    if (doc.learned?.mode !== 'cost-aware')
      problem(
        `${field}.${knob}`,
        `${knob} sets the learned level's cost-aware knob, and this policy has ${
          doc.learned ? `its learned level in mode ${doc.learned.mode}` : 'no learned level'
        }: give the profile a route instead ({ tier: <name> } or { model: <id> })`,
      );
    if (profile.target && 'of' in profile.target && !models.has(profile.target.of))
      problem(`${field}.target.of`, `unknown model "${profile.target.of}"`);
  }
}

/** The learned level's settings under a profile: its knob in place of the policy's. */
export function profileLearnedSettings(settings: LearnedSettings, profile: RoutingProfile): LearnedSettings {
  const { costWeight: _w, tolerance: _t, target: _g, ...rest } = settings;
  const knob: Partial<LearnedSettings> =
    profile.target !== undefined
      ? { target: profile.target }
      : profile.tolerance !== undefined
        ? { tolerance: profile.tolerance }
        : { costWeight: profile.costWeight };
  return { ...rest, ...knob };
}

/** What a profile does, in a few words, when its policy gives no description. */
export function describeProfile(profile: RoutingProfile): string {
  if (profile.description !== undefined) return profile.description;
  if (profile.route)
    return 'model' in profile.route ? `routes to ${profile.route.model}` : `routes to tier ${profile.route.tier}`;
  if (profile.target !== undefined)
    return 'of' in profile.target
      ? `the learned router aiming at ${profile.target.quality} of ${profile.target.of}'s quality`
      : `the learned router within $${profile.target.maxCostPerRequestUsd} per request`;
  return profile.tolerance !== undefined
    ? `the learned router, cheapest within ${profile.tolerance} of the best predicted quality`
    : `the learned router with costWeight ${profile.costWeight}`;
}
