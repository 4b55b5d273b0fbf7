import { AUTO_MODEL, RouterError, closestKey } from '@switchyard/contracts';
import type { CompiledPolicy } from '../policy/compile-policy';
import type { RoutingProfile } from '../policy/policy.schema';

/** What a request's `model` asks for: routing, routing with a profile, or one model of the policy. */
export type RequestedModel =
  { kind: 'auto' } | { kind: 'profile'; name: string; profile: RoutingProfile } | { kind: 'pinned'; model: string };

const AUTO: RequestedModel = { kind: 'auto' };
const PROFILE_PREFIX = `${AUTO_MODEL}:`;

/**
 * A request's `model` under a policy: absent or `auto`, route; `auto:<profile>`, route with that profile;
 * else a model id of the policy, pinned. Throws `invalid_request` at `model` for a profile or model the
 * policy does not have, listing what it has (the closest first).
 */
export function requestedModel(policy: CompiledPolicy, model: string | undefined): RequestedModel {
  if (model === undefined || model === AUTO_MODEL) return AUTO;
  if (model.startsWith(PROFILE_PREFIX)) {
    const name = model.slice(PROFILE_PREFIX.length);
    const profiles = policy.document.profiles ?? {};
    // Own keys only: "auto:constructor" is not a profile.
    if (Object.hasOwn(profiles, name)) return { kind: 'profile', name, profile: profiles[name] };
    const names = Object.keys(profiles);
    throw new RouterError(
      'invalid_request',
      names.length === 0
        ? `policy ${policy.version} has no routing profiles: use "${AUTO_MODEL}" or one of its models (${[...policy.models.keys()].join(', ')})`
        : `unknown routing profile "${name}"; profiles: ${closestFirst(name, names)
            .map((n) => `"${PROFILE_PREFIX}${n}"`)
            .join(', ')}`,
      'model',
    );
  }
  if (policy.models.has(model)) return { kind: 'pinned', model };
  throw new RouterError(
    'invalid_request',
    `model "${model}" is not one of policy ${policy.version}'s models: ${closestFirst(model, [...policy.models.keys()]).join(', ')}; or "${AUTO_MODEL}" to let Switchyard choose`,
    'model',
  );
}

/** `known` with the one nearest to `name` (if any is near) first. */
function closestFirst(name: string, known: readonly string[]): string[] {
  const near = closestKey(name, known);
  return near === undefined ? [...known] : [near, ...known.filter((k) => k !== near)];
}
