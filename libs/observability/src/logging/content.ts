import { processLogging } from './process-logging';

/** Longest content (a prompt, an answer) on a line when LOG_CONTENT=true. */
const CONTENT_CHARS = 2000;
/**
 * Longest error text on a line: with LOG_CONTENT=false the first words of an error say what failed, and
 * what may follow (a provider's echoed request, a body that is not JSON) stays out; with it, room for more.
 */
const ERROR_CHARS = { off: 300, on: 4000 } as const;
/** Stack frames kept: file and function names only, never content. */
const STACK_FRAMES = 12;
/**
 * Quoted runs long enough to be someone's words rather than a name: what error texts echo of a prompt or
 * an answer ("no record of this prompt ("…")", a provider's "Invalid value '…'"). Names (a rule, a model, a
 * field) are short and stay readable.
 */
const QUOTED = /"[^"\n]{16,}"|'[^'\n]{16,}'|`[^`\n]{16,}`|“[^”\n]{16,}”/g;

/** Whether prompts, answers and the error texts that may echo them are logged as they are (LOG_CONTENT). */
export function contentLogged(): boolean {
  return processLogging().content;
}

/** Sets LOG_CONTENT for the process (createLogger does, from the service's config). */
export function setContentLogged(on: boolean): void {
  processLogging().content = on;
}

/**
 * A prompt, an answer or a request body as a log line may show it: its length only unless LOG_CONTENT=true,
 * then the text itself, cut to a bounded length.
 */
export function contentForLog(text: string): string {
  if (!contentLogged()) return `[${text.length} chars, not logged: LOG_CONTENT=false]`;
  return truncate(text, CONTENT_CHARS);
}

/**
 * Text that may echo content (an error's message, a dead letter's error, a provider's answer to a failed
 * call): cut short, and its long quoted runs replaced by their length, unless LOG_CONTENT=true.
 */
export function textForLog(text: string): string {
  if (contentLogged()) return truncate(text, ERROR_CHARS.on);
  const masked = text.replace(QUOTED, (q) => `${q[0]}[${q.length - 2} chars]${q[q.length - 1]}`);
  return truncate(masked, ERROR_CHARS.off);
}

/** An unexpected error for a log line: its name and message (through textForLog) and its stack frames. */
export function errorForLog(err: unknown): string {
  if (!(err instanceof Error)) return textForLog(String(err));
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, STACK_FRAMES);
  return [`${err.name}: ${textForLog(err.message)}`, ...frames].join('\n');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more chars)`;
}
