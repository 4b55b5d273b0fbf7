/**
 * A value a JSON Schema accepts, built the way a model fills a schema it was given: the required properties
 * of objects, each with a placeholder of its type (the first enum value or the const when there is one;
 * strings from `word`). Follows local `$ref`s (`#/$defs/...`), takes the first branch of anyOf/oneOf, and
 * stops nesting after a few levels (null there), so recursive schemas end.
 */
export function placeholderFor(schema: unknown, word: (n: number) => string): unknown {
  let strings = 0;
  const fill = (node: unknown, depth: number): unknown => {
    if (!isRecord(node) || depth > 6) return null;
    const ref = node['$ref'];
    if (typeof ref === 'string') return fill(resolve(schema, ref), depth + 1);
    if ('const' in node) return node['const'];
    if (Array.isArray(node['enum']) && node['enum'].length > 0) return node['enum'][0];
    for (const key of ['anyOf', 'oneOf', 'allOf'])
      if (Array.isArray(node[key]) && (node[key] as unknown[]).length > 0)
        return fill((node[key] as unknown[])[0], depth + 1);
    const types = Array.isArray(node['type']) ? (node['type'] as unknown[]) : [node['type']];
    const type = types.find((t) => t !== 'null') ?? types[0];
    switch (type) {
      case 'string':
        return word(strings++);
      case 'integer':
      case 'number':
        return typeof node['minimum'] === 'number' ? node['minimum'] : 1;
      case 'boolean':
        return true;
      case 'null':
        return null;
      case 'array': {
        const min = typeof node['minItems'] === 'number' ? node['minItems'] : 0;
        return Array.from({ length: Math.min(min, 3) }, () => fill(node['items'], depth + 1));
      }
      default: {
        if (type !== 'object' && !isRecord(node['properties'])) return word(strings++);
        const properties = isRecord(node['properties']) ? node['properties'] : {};
        const required = Array.isArray(node['required']) ? node['required'].filter((r) => typeof r === 'string') : [];
        return Object.fromEntries(required.map((name) => [name, fill(properties[name], depth + 1)]));
      }
    }
  };
  return fill(schema, 0);
}

function resolve(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const key of ref.slice(2).split('/'))
    node = isRecord(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
