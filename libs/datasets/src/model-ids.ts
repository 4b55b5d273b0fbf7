import { modelIdSchema } from '@switchyard/contracts';
import { type DatasetRow, DatasetError } from './dataset-format';

/** Characters a policy's model id may not hold (`modelIdSchema`: letters, digits and . _ : / -). */
const NOT_IN_IDS = /[^A-Za-z0-9_.:/-]/g;

/**
 * The id a dataset's model name is routed under: the name itself when a policy may name it, else the name
 * with every other character made a `-` (starting with a letter or digit, at most 128 characters), so
 * `claude-3-5-sonnet@20240620` is routed as `claude-3-5-sonnet-20240620`. A pure function of the name:
 * every file and every command names a model alike.
 */
export function routableModelId(name: string): string {
  if (modelIdSchema.safeParse(name).success) return name;
  let id = name.replace(NOT_IN_IDS, '-');
  if (!/^[A-Za-z0-9]/.test(id)) id = `m${id}`;
  return id.slice(0, 128);
}

/**
 * The rows with each model under its routable id (`routableModelId`), and which names changed; the rows
 * as given when none did. Two names that would share an id are an error naming both.
 */
export function withRoutableModelIds(sets: readonly (readonly DatasetRow[])[]): {
  sets: DatasetRow[][];
  renamed: Array<{ from: string; to: string }>;
} {
  const names = new Set<string>();
  for (const set of sets) for (const row of set) for (const m of Object.keys(row.outcomes)) names.add(m);
  const byId = new Map<string, string>();
  const renamed: Array<{ from: string; to: string }> = [];
  for (const name of [...names].sort()) {
    const id = routableModelId(name);
    const other = byId.get(id);
    if (other !== undefined)
      throw new DatasetError(
        `models "${other}" and "${name}" would both be routed as "${id}" (model ids are letters, digits and . _ : / -): rename one in the file`,
      );
    byId.set(id, name);
    if (id !== name) renamed.push({ from: name, to: id });
  }
  if (renamed.length === 0) return { sets: sets.map((s) => [...s]), renamed };
  const to = new Map(renamed.map((r) => [r.from, r.to]));
  return {
    sets: sets.map((set) =>
      set.map((row) => ({
        ...row,
        outcomes: Object.fromEntries(Object.entries(row.outcomes).map(([m, o]) => [to.get(m) ?? m, o])),
      })),
    ),
    renamed,
  };
}

/** The renames as a line for a command's output (undefined when none). */
export function describeRenamed(renamed: ReadonlyArray<{ from: string; to: string }>): string | undefined {
  if (renamed.length === 0) return undefined;
  return `model names a policy cannot use, routed as: ${renamed.map((r) => `"${r.from}" as ${r.to}`).join(', ')}`;
}
