#!/usr/bin/env node
// The `switchyard` command (npx switchyard ...): runs the built CLI bundle.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'apps', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`switchyard: ${main} is missing; build first: npm run build\n`);
  process.exit(1);
}
require(main);
