import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { LearnedRouter, type PolicyTrust } from '@switchyard/routing';
import { type LoadedPolicy, loadPolicyFile, storedModelsNamedBy } from './policy-loader';

/**
 * Where trained routers are read from by version (the model store in MongoDB: RouterModelRepository). `load`
 * rejects with an error carrying a `problem` (no such version, a chunk missing, corrupt) when the store
 * answered but cannot give that version; any other rejection is taken for the store not answering.
 */
export interface RouterModelSource {
  load(version: string): Promise<unknown>;
}

/** Whether a rejection of RouterModelSource.load says the store did not answer (worth asking again later). */
function storeDidNotAnswer(err: unknown): boolean {
  return !(err instanceof Error && typeof (err as { problem?: unknown }).problem === 'string');
}

export const ROUTER_MODEL_SOURCE = Symbol('ROUTER_MODEL_SOURCE');

/**
 * The model-store routers this replica holds, by version: fetched when a published policy names them,
 * before the policy is loaded, and let go when no policy in force names them any more. A router that cannot
 * be fetched or does not load is left out (the policy naming it is then refused, and the one in force keeps
 * serving); the next policy naming it tries again.
 */
export class StoredRouters {
  private readonly logger = new Logger(StoredRouters.name);
  private readonly routers = new Map<string, LearnedRouter>();

  constructor(private readonly source: RouterModelSource | undefined) {}

  get available(): boolean {
    return this.source !== undefined;
  }

  /**
   * Fetches the versions not held yet (one at a time: each is megabytes). Returns those not fetched because the
   * store did not answer (asking again later may work); a version the store answered for but could not give,
   * or that does not load, is only logged.
   */
  async fetch(versions: readonly string[]): Promise<string[]> {
    const unanswered: string[] = [];
    if (!this.source) return unanswered;
    for (const version of versions) {
      if (this.routers.has(version)) continue;
      const started = Date.now();
      let stored: unknown;
      try {
        stored = await this.source.load(version);
      } catch (err) {
        const said = `learned router ${version} not loaded from the model store: ${(err as Error).message}`;
        if (storeDidNotAnswer(err)) {
          unanswered.push(version);
          this.logger.warn(said);
        } else this.logger.error(said);
        continue;
      }
      try {
        const router = new LearnedRouter(stored as LearnedRouter['artifact']);
        if (router.version !== version) throw new Error(`the stored artifact says it is ${router.version}`);
        this.routers.set(version, router);
        this.logger.log(`learned router ${version} loaded from the model store in ${Date.now() - started} ms`);
      } catch (err) {
        this.logger.error(`learned router ${version} not loaded from the model store: ${(err as Error).message}`);
      }
    }
    return unanswered;
  }

  get(version: string): LearnedRouter | undefined {
    return this.routers.get(version);
  }

  /** Keeps only the versions the policy in force names. */
  retain(versions: readonly string[]): void {
    for (const version of [...this.routers.keys()]) if (!versions.includes(version)) this.routers.delete(version);
  }
}

/**
 * Reads and compiles a policy file as `loadPolicyFile` does, with the model-store routers it names (its own
 * `learned.model`, its canary candidate's) fetched into `routers` first: how decision-engine starts from a
 * POLICY_FILE naming a stored router. One that cannot be fetched refuses the file (the log says why), and
 * the service does not start on a policy it cannot serve.
 */
export async function loadPolicyFileWithStore(
  file: string,
  trust: PolicyTrust | undefined,
  learned: 'load' | 'skip',
  routers: StoredRouters,
): Promise<LoadedPolicy> {
  const path = resolve(file);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // loadPolicyFile names the file and why it cannot be read.
  }
  if (learned === 'load' && text !== undefined) await routers.fetch(storedModelsNamedBy(text, dirname(path)));
  return loadPolicyFile(file, trust, { learned, stored: routers.available ? (v) => routers.get(v) : undefined });
}
