import type { ChatRequest } from '@switchyard/contracts';
import type { CompiledRule } from '../policy/compile-policy';

export interface RuleInput {
  request: ChatRequest;
  tenant: string;
  /** The routing text (last user message) and its lower-case form, computed once per request. */
  text: string;
  lowerText: string;
}

/** Why a rule matched, or undefined when it does not. All conditions of a rule must hold. */
export function matchRule(compiled: CompiledRule, input: RuleInput): string | undefined {
  const w = compiled.rule.when;
  const why: string[] = [];
  if (w.minChars !== undefined && input.text.length < w.minChars) return undefined;
  if (w.maxChars !== undefined && input.text.length > w.maxChars) return undefined;
  if (w.minChars !== undefined || w.maxChars !== undefined) why.push(`length ${input.text.length}`);
  if (compiled.tenantIn) {
    if (!compiled.tenantIn.has(input.tenant)) return undefined;
    why.push(`tenant ${input.tenant}`);
  }
  if (compiled.taskIn) {
    const task = input.request.hints?.task;
    if (task === undefined || !compiled.taskIn.has(task)) return undefined;
    why.push(`task ${task}`);
  }
  if (w.metadata) {
    for (const [key, value] of Object.entries(w.metadata))
      if (input.request.metadata?.[key] !== value) return undefined;
    why.push('metadata');
  }
  if (compiled.regex) {
    if (!compiled.regex.test(input.text)) return undefined;
    why.push('regex');
  }
  if (compiled.keywords) {
    const found = compiled.keywords.findIn(input.lowerText);
    if (found.length === 0) return undefined;
    why.push(`keyword ${found.map((k) => JSON.stringify(k)).join(', ')}`);
  }
  return why.join('; ');
}
