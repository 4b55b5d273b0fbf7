import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadPolicyText, storedModelsNamedBy } from '@switchyard/policy-store';
import { PolicyError, type PolicyTrust } from '@switchyard/routing';
import type { CliIo } from '../program/cli-context';

export interface ValidatePolicyOptions {
  file: string;
  /** The services' limits on what a policy may point at (POLICY_KEY_ENV_PREFIX, POLICY_ALLOWED_HOSTS). */
  trust: PolicyTrust;
  json: boolean;
}

/**
 * `switchyard policy validate FILE`: the checks `policy publish` and every replica make (compiled, within
 * the trust settings, its learned artifact and canary candidate loaded), offline: no NATS, no MongoDB. A
 * router it names in the model store (`learned.model`) cannot be read offline: that level is left unchecked,
 * and said so.
 */
export function runValidatePolicy(opts: ValidatePolicyOptions, io: Pick<CliIo, 'stdout' | 'stderr'>): number {
  const file = resolve(opts.file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return invalid(opts, io, [{ field: '(file)', message: `cannot read ${file}: ${(err as Error).message}` }]);
  }
  const stored = storedModelsNamedBy(text, dirname(file));
  const notes = stored.map(
    (v) =>
      `learned.model ${v} is in the model store, not checked offline (policy publish, and decision-engine at start, check it)`,
  );
  try {
    const loaded = loadPolicyText(text, dirname(file), opts.file, opts.trust, { stored: 'unchecked' });
    const summary = {
      ok: true,
      errors: [],
      file: opts.file,
      version: loaded.policy.version,
      models: loaded.policy.models.size,
      rules: loaded.policy.rules.length,
      ...(loaded.learned ? { learned: loaded.learned.router.version } : {}),
      ...(loaded.canary
        ? { canary: { candidate: loaded.canary.candidate.policy.version, percent: loaded.canary.settings.percent } }
        : {}),
      notes,
    };
    if (opts.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      const extra = [
        summary.learned ? `learned ${summary.learned}` : '',
        summary.canary ? `canary ${summary.canary.candidate} at ${summary.canary.percent}%` : '',
      ].filter(Boolean);
      io.stdout(
        `ok: ${opts.file} version ${summary.version}, ${plural(summary.models, 'model')}, ${plural(summary.rules, 'rule')}${extra.map((e) => `, ${e}`).join('')}\n`,
      );
      for (const note of notes) io.stderr(`note: ${note}\n`);
    }
    return 0;
  } catch (err) {
    // The loader names the file in each field; a problem of a canary candidate's file keeps that name.
    const own = `${opts.file}: `;
    if (err instanceof PolicyError)
      return invalid(
        opts,
        io,
        err.problems.map((p) => ({ ...p, field: p.field.startsWith(own) ? p.field.slice(own.length) : p.field })),
      );
    throw err;
  }
}

function invalid(
  opts: ValidatePolicyOptions,
  io: Pick<CliIo, 'stdout' | 'stderr'>,
  errors: Array<{ field: string; message: string }>,
): number {
  if (opts.json) io.stdout(`${JSON.stringify({ ok: false, errors, file: opts.file }, null, 2)}\n`);
  else {
    io.stderr(`invalid: ${opts.file}\n`);
    for (const e of errors) io.stderr(`  ${e.field}: ${e.message}\n`);
  }
  return 1;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
