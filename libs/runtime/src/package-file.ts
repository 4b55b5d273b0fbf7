import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * A file shipped next to an installed package's main entry, for files its `exports` do not name (the
 * browser build of a library a page serves). Resolved from the running script's place: services run as
 * bundles that keep node_modules outside.
 */
export function readPackageFile(pkg: string, file: string): string {
  const from = process.argv[1] ? process.argv[1] : join(process.cwd(), 'index.js');
  return readFileSync(join(dirname(createRequire(from).resolve(pkg)), file), 'utf8');
}
