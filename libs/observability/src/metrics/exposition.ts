/** One sample line of the Prometheus text format. */
export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ExpositionFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: ExpositionSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

/** A line that is not Prometheus text format (0.0.4), with its number. */
export class ExpositionError extends Error {
  constructor(line: number, why: string, text: string) {
    super(`line ${line}: ${why}: ${text.slice(0, 200)}`);
    this.name = 'ExpositionError';
  }
}

/**
 * Parses (and checks) the Prometheus text exposition format, version 0.0.4: HELP and TYPE lines before their
 * family's samples, each family's lines together, names and label names by the format's grammar, label values
 * with their escapes, values as Go floats (NaN, +Inf), a family's series never twice, a histogram's buckets
 * rising to an +Inf bucket equal to its count. Used by the e2e checks of /metrics and tools that read it.
 */
export function parseExposition(text: string): Map<string, ExpositionFamily> {
  const families = new Map<string, ExpositionFamily>();
  const typed = new Set<string>();
  const seen = new Set<string>();
  let current: ExpositionFamily | undefined;
  // HELP and TYPE name their family exactly; a sample may carry a suffix of it (_bucket, _sum, _count).
  const familyOf = (name: string, exact: boolean, n: number, line: string): ExpositionFamily => {
    if (current && (exact ? current.name === name : belongs(current, name))) return current;
    const known = families.get(name) ?? (exact ? undefined : [...families.values()].find((f) => belongs(f, name)));
    if (known) throw new ExpositionError(n, `lines of ${known.name} are not together`, line);
    current = { name, type: 'untyped', samples: [] };
    families.set(name, current);
    return current;
  };
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest = ''] = m;
      if (!METRIC_NAME.test(name)) throw new ExpositionError(n, 'bad metric name', line);
      const family = familyOf(name, true, n, line);
      if (family.samples.length > 0) throw new ExpositionError(n, `${kind} after the samples of ${name}`, line);
      if (kind === 'HELP') {
        if (family.help !== undefined) throw new ExpositionError(n, 'second HELP', line);
        family.help = unescapeHelp(rest);
        return;
      }
      if (!TYPES.has(rest.trim())) throw new ExpositionError(n, 'unknown TYPE', line);
      if (typed.has(name)) throw new ExpositionError(n, 'second TYPE', line);
      typed.add(name);
      family.type = rest.trim() as ExpositionFamily['type'];
      return;
    }
    const sample = parseSample(line, n);
    const family = familyOf(sample.name, false, n, line);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new ExpositionError(n, 'the same series twice', line);
    seen.add(key);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** The sum of a family's samples named `name` whose labels include `match` (0 when there are none). */
export function sumOf(
  families: Map<string, ExpositionFamily>,
  name: string,
  match: Record<string, string> = {},
): number {
  let total = 0;
  for (const family of families.values())
    for (const s of family.samples)
      if (s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
  return total;
}

function belongs(family: ExpositionFamily, name: string): boolean {
  if (name === family.name) return true;
  return (SUFFIXES[family.type] ?? []).some((s) => name === `${family.name}${s}`);
}

function parseSample(line: string, n: number): ExpositionSample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!m) throw new ExpositionError(n, 'bad metric name', line);
  const name = m[1];
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at++;
    while (line[at] !== '}') {
      const lm = /^\s*([^=\s]+)\s*=\s*"/.exec(line.slice(at));
      if (!lm || !LABEL_NAME.test(lm[1])) throw new ExpositionError(n, 'bad label', line);
      at += lm[0].length;
      let value = '';
      for (;;) {
        const c = line[at++];
        if (c === undefined) throw new ExpositionError(n, 'unterminated label value', line);
        if (c === '"') break;
        if (c === '\\') {
          const e = line[at++];
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else throw new ExpositionError(n, 'bad escape in label value', line);
        } else value += c;
      }
      if (lm[1] in labels) throw new ExpositionError(n, `label ${lm[1]} twice`, line);
      labels[lm[1]] = value;
      if (line[at] === ',') at++;
      else if (line[at] !== '}') throw new ExpositionError(n, 'expected , or }', line);
    }
    at++;
  }
  const parts = line.slice(at).trim().split(/\s+/);
  if (line[at] !== ' ' || parts.length < 1 || parts.length > 2 || parts[0] === '')
    throw new ExpositionError(n, 'expected a value (and a timestamp)', line);
  const value = parseValue(parts[0]);
  if (value === undefined) throw new ExpositionError(n, 'bad value', line);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new ExpositionError(n, 'bad timestamp', line);
  return { name, labels, value };
}

/** A float as Prometheus reads it (Go's ParseFloat: NaN and Inf in any case; prom-client writes `Nan`). */
function parseValue(text: string): number | undefined {
  const special = /^([-+]?)(nan|inf|infinity)$/i.exec(text);
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(n|\\)/g, (_, e: string) => (e === 'n' ? '\n' : '\\'));
}

/** Per series (labels but `le`): buckets do not fall, the +Inf bucket exists and equals _count. */
function checkHistogram(family: ExpositionFamily): void {
  const series = new Map<string, { buckets: Array<[number, number]>; count?: number }>();
  const keyOf = (labels: Record<string, string>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== 'le')
        .sort(),
    );
  for (const s of family.samples) {
    const entry = series.get(keyOf(s.labels)) ?? { buckets: [] };
    series.set(keyOf(s.labels), entry);
    if (s.name.endsWith('_bucket')) {
      const le = s.labels['le'];
      const bound = le === undefined ? undefined : parseValue(le);
      if (bound === undefined) throw new Error(`${family.name}: a bucket without a valid le`);
      entry.buckets.push([bound, s.value]);
    } else if (s.name.endsWith('_count')) entry.count = s.value;
  }
  for (const [key, { buckets, count }] of series) {
    buckets.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < buckets.length; i++)
      if (buckets[i][1] < buckets[i - 1][1]) throw new Error(`${family.name}${key}: bucket counts fall`);
    const inf = buckets[buckets.length - 1];
    if (!inf || inf[0] !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    if (count !== inf[1]) throw new Error(`${family.name}${key}: +Inf bucket ${inf[1]} is not _count ${count}`);
  }
}
