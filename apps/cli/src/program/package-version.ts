import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version of the installed switchyard: the nearest package.json named switchyard above `start` (the
 * workspace from the sources or from dist/apps/cli, an image's /app). Read, not imported: an app may not
 * import files outside its project, and the bundle should report the package it runs in.
 */
export function packageVersion(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'switchyard' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown (no switchyard package.json above the CLI)';
  }
}
