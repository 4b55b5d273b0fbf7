import { AUTO_MODEL, type ModelCapability, MODEL_CAPABILITIES } from '@switchyard/contracts';
import type { CompiledPolicy } from './compile-policy';
import { describeProfile } from './profiles';

/**
 * One entry of what `GET /v1/models` lists (the shape of contracts' `ModelListing`): `auto` (`router`),
 * `auto:<profile>` (`profile`), or a model to pin (`model`).
 */
export type ListedModel =
  | {
      /** `auto`, or `auto:<profile>`. */
      id: string;
      kind: 'router' | 'profile';
      description: string;
      /** What some model of the policy can honour: a request needing more is refused (400). */
      capabilities: ModelCapability[];
      /** The largest context window of the policy's models, when every model declares one. */
      contextWindow?: number;
    }
  | {
      id: string;
      kind: 'model';
      provider: string;
      tier: string;
      capabilities: ModelCapability[];
      contextWindow?: number;
      /** US dollars per million tokens. */
      priceUsdPerMTok: { input: number; output: number };
    };

/**
 * What a caller may put in a request's `model` under this policy: `auto`, `auto:<profile>` for each
 * routing profile, then each model (pinned), in policy order with its provider, tier, capabilities and
 * context window. Pure: ingress serves it as `GET /v1/models`.
 */
export function listModels(policy: CompiledPolicy): ListedModel[] {
  const specs = [...policy.models.values()];
  const some = new Set(specs.flatMap((m) => m.capabilities));
  const capabilities = MODEL_CAPABILITIES.filter((c) => some.has(c));
  const windows = specs.map((m) => m.contextWindow);
  const router = (id: string, kind: 'router' | 'profile', description: string): ListedModel => ({
    id,
    kind,
    description,
    capabilities,
    ...(windows.every((w) => w !== undefined) ? { contextWindow: Math.max(...(windows as number[])) } : {}),
  });
  return [
    router(AUTO_MODEL, 'router', `Switchyard chooses the model (policy ${policy.version})`),
    ...Object.entries(policy.document.profiles ?? {}).map(([name, profile]) =>
      router(`${AUTO_MODEL}:${name}`, 'profile', describeProfile(profile)),
    ),
    ...specs.map((m): ListedModel => ({
      id: m.id,
      kind: 'model',
      provider: m.provider,
      tier: m.tier,
      capabilities: [...m.capabilities],
      ...(m.contextWindow === undefined ? {} : { contextWindow: m.contextWindow }),
      priceUsdPerMTok: { ...m.priceUsdPerMTok },
    })),
  ];
}
