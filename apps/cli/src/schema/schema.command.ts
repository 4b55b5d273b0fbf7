import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractJsonSchemas } from '@switchyard/contracts';
import type { CliIo } from '../program/cli-context';

export interface SchemaOptions {
  /** Write one file per schema here; print them all as one JSON object when left out. */
  out?: string;
  json: boolean;
}

// What an earlier run wrote: a file of a contract no longer public is removed, nothing else in the folder.
const WRITTEN_BY_THIS = /^router\..+\.(request|reply|delta)\.json$/;

/** `switchyard schema`: the public NATS contracts as JSON Schema (committed under docs/schemas/). */
export function runSchema(opts: SchemaOptions, io: Pick<CliIo, 'stdout' | 'stderr'>): number {
  const schemas = contractJsonSchemas();
  if (opts.out === undefined) {
    io.stdout(`${JSON.stringify(Object.fromEntries(schemas.map((s) => [s.fileName, s.schema])), null, 2)}\n`);
    return 0;
  }
  const out = opts.out;
  mkdirSync(out, { recursive: true });
  const names = new Set(schemas.map((s) => s.fileName));
  const removed = readdirSync(out).filter((f) => WRITTEN_BY_THIS.test(f) && !names.has(f));
  for (const file of removed) rmSync(join(out, file));
  for (const { fileName, schema } of schemas)
    writeFileSync(join(out, fileName), `${JSON.stringify(schema, null, 2)}\n`);
  const files = schemas.map((s) => join(out, s.fileName));
  if (opts.json) io.stdout(`${JSON.stringify({ out, files, removed: removed.map((f) => join(out, f)) }, null, 2)}\n`);
  else {
    io.stdout(`wrote ${files.length} schemas to ${out}\n`);
    for (const file of removed) io.stdout(`removed ${join(out, file)} (no longer a public contract)\n`);
  }
  return 0;
}
