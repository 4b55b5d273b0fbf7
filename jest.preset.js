// Shared jest settings. NestJS 12 ships ESM only: @swc/jest turns it (and our TypeScript, with decorator
// metadata for Nest's constructor injection) into CommonJS that jest runs.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const swcOptions = {
  swcrc: false,
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

// Map @switchyard/<lib> to its source so tests run without building the libs.
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, path.join(__dirname, target)]),
);

const preset = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swcOptions] },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|@standard-schema|uid|strtok3|token-types|@tokenizer|uint8array-extras)/)',
  ],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper,
  testMatch: ['**/?(*.)+(spec).ts'],
  // Integration specs talk to real servers (FerretDB, NATS, Redis) on a machine the whole suite keeps busy:
  // a hook or test that takes 5 s there is slow, not stuck (a rollups spec's setup once timed out at jest's
  // default of 5 s). 30 s still ends a stuck one.
  testTimeout: 30_000,
};

/** A project's jest config: the preset, its name, and a reporter that writes its totals for scripts/test.sh. */
function forProject(name, dir, extra = {}) {
  return {
    ...preset,
    displayName: name,
    rootDir: dir,
    reporters: ['default', [path.join(__dirname, 'tools/jest/totals-reporter.js'), { name }]],
    ...extra,
  };
}

module.exports = { forProject, preset };
