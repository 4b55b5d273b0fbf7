import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  mongoConnectOptions,
  PolicyVersionRepository,
  type SuggestionEntity,
  SuggestionRepository,
} from '@switchyard/persistence';
import { withRoute } from '@switchyard/routing';
import mongoose from 'mongoose';
import { parse, stringify } from 'yaml';
import { type PublishPolicyOptions, publishPolicyText } from './publish-policy.command';

export interface ApplySuggestionOptions extends Omit<PublishPolicyOptions, 'file'> {
  suggestionId: string;
  /** Share of traffic (0-100) the candidate routes while the canary runs. */
  percent: number;
  stickyBy: 'tenant' | 'user';
  /** The policy to change, when the one the evidence was gathered under is not stored in MongoDB. */
  policyFile?: string;
  /** Where relative paths of a stored policy resolve: the services' POLICY_FILE folder. */
  policyDir: string;
  /** Where the two policies are written too, for review and for promoting the candidate later. */
  outDir: string;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * `switchyard policy apply-suggestion ID`: the suggestion's change as a new policy version that goes out
 * through the canary, never straight to all traffic. The published policy is the current one (control)
 * with `canary: { percent, candidate }`, the candidate inline: the same policy with the rule or band
 * routed to the suggested model. Both are written to `outDir`; promote the candidate with
 * `switchyard policy publish <candidate file>` once the canary arms (switchyard report) show it holds.
 */
export async function runApplySuggestion(opts: ApplySuggestionOptions): Promise<number> {
  const db = await mongoose.createConnection(opts.mongoUri, mongoConnectOptions(opts.mongoUri)).asPromise();
  let suggestion: SuggestionEntity;
  let base: { text: string; baseDir: string; source: string };
  try {
    const suggestions = new SuggestionRepository(db);
    const found = await suggestions.findById(opts.suggestionId);
    if (!found) return fail(`no suggestion ${opts.suggestionId} (switchyard suggestions lists the open ones)`);
    if (found.status !== 'open')
      return fail(
        found.status === 'applied'
          ? `suggestion ${found.suggestionId} was applied already, as policy ${found.applied?.policyVersion}`
          : `suggestion ${found.suggestionId} is superseded by a later review of the same traffic (switchyard suggestions)`,
      );
    suggestion = found;
    if (opts.policyFile) {
      const file = resolve(opts.policyFile);
      base = { text: readFileSync(file, 'utf8'), baseDir: dirname(file), source: opts.policyFile };
    } else {
      if (!found.policyVersion)
        return fail('the suggestion names no policy version: give the policy to change with --policy FILE');
      const stored = await new PolicyVersionRepository(db).findByVersion(found.policyVersion);
      if (!stored)
        return fail(
          `policy ${found.policyVersion} is not stored in MongoDB (the services loaded it from their POLICY_FILE): ` +
            'give that file with --policy FILE',
        );
      base = { text: stored.yaml, baseDir: opts.policyDir, source: `policies/${stored.version} (MongoDB)` };
    }
  } finally {
    await db.close();
  }

  const document = parse(base.text) as Record<string, unknown>;
  const version = String(document['version']);
  if (suggestion.policyVersion && version !== suggestion.policyVersion)
    out(`note: the evidence was gathered under policy ${suggestion.policyVersion}; changing ${version}`);
  if (document['canary'] !== undefined)
    return fail(
      `policy ${version} already runs a canary; end it first (publish its control or its candidate as a policy of its own)`,
    );
  const candidate = withRoute(
    document,
    suggestion.target,
    suggestion.suggestedModel,
    `${version}+${suggestion.suggestionId}`,
  );
  const control = {
    ...structuredClone(document),
    version: `${version}+canary.${suggestion.suggestionId}`,
    canary: { percent: opts.percent, stickyBy: opts.stickyBy, candidate },
  };
  const controlYaml = stringify(control);
  mkdirSync(opts.outDir, { recursive: true });
  const files = {
    control: join(opts.outDir, `${safe(control.version)}.yaml`),
    candidate: join(opts.outDir, `${safe(String(candidate['version']))}.yaml`),
  };
  writeFileSync(files.control, controlYaml);
  writeFileSync(files.candidate, stringify(candidate));
  out(
    `suggestion ${suggestion.suggestionId}: ${suggestion.target.kind} ${suggestion.target.name} -> ${suggestion.suggestedModel} ` +
      `(was ${suggestion.currentModel}), as candidate ${String(candidate['version'])} on ${opts.percent}% of ${opts.stickyBy}s`,
  );
  out(`written: ${files.control} (published now) and ${files.candidate} (promote it later)`);

  const code = await publishPolicyText({ ...opts, text: controlYaml, baseDir: base.baseDir, source: files.control });
  if (code !== 0) return code;

  const db2 = await mongoose.createConnection(opts.mongoUri, mongoConnectOptions(opts.mongoUri)).asPromise();
  try {
    const marked = await new SuggestionRepository(db2).markApplied(suggestion.suggestionId, {
      policyVersion: control.version,
      canaryPercent: opts.percent,
      at: new Date(),
      by: userInfo().username,
    });
    if (!marked) out(`note: suggestion ${suggestion.suggestionId} was marked applied by someone else meanwhile`);
  } finally {
    await db2.close();
  }
  out(
    `canary running: compare the arms with switchyard stats --group-by arm, or in the next report; ` +
      `promote with switchyard policy publish ${files.candidate}`,
  );
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

/** A version as a file name. */
function safe(version: string): string {
  return version.replace(/[^A-Za-z0-9._+-]/g, '_');
}
