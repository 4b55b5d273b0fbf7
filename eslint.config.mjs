import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const infraClients = ['mongoose', '@nats-io/*', 'bullmq', 'ioredis', '@nestjs/*', 'express'];

// Who may import whom. Tests may also import type:testing helpers (see the spec-file block below).
const depConstraints = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:data-access', 'type:util'],
  },
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:testing', 'type:util', 'type:domain', 'type:data-access'],
  },
  {
    sourceTag: 'type:data-access',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:data-access', 'type:util'],
  },
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'],
    bannedExternalImports: infraClients,
  },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: infraClients },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:data-access', 'type:util'],
  },
];
const ONLY_FROM_INDEX = {
  group: ['@switchyard/*/*'],
  message: 'Import libs only from their index: @switchyard/<lib>.',
};
// Dependencies that run one way, checked on direct imports (Nx's tag rules follow test-only edges too):
// production services never import the offline evaluation code or the tools' launcher; providers do not
// know the routing domain (a plan carries the model specs they need, typed in contracts); evaluation does
// not import the providers (the replay answer and the dataset format are in @switchyard/datasets); the
// shared messaging library imports no feature's domain.
const SERVICES = [
  'ingress',
  'analyzer',
  'decision-engine',
  'provider-adapters',
  'feedback-aggregator',
  'rule-optimizer',
];
const oneWay = [
  {
    files: SERVICES.map((s) => `apps/${s}/**/*.ts`),
    // Their tests may find the workspace with the launcher; what ships may not.
    ignores: ['**/*.spec.ts'],
    banned: ['@switchyard/evaluation', '@switchyard/launcher'],
  },
  {
    files: ['libs/providers/**/*.ts'],
    banned: ['@switchyard/routing', '@switchyard/evaluation', '@switchyard/analytics'],
  },
  { files: ['libs/evaluation/**/*.ts'], banned: ['@switchyard/providers'] },
  {
    files: ['libs/datasets/**/*.ts'],
    banned: ['@switchyard/routing', '@switchyard/evaluation', '@switchyard/providers'],
  },
  {
    files: ['libs/messaging/**/*.ts', 'libs/contracts/**/*.ts'],
    banned: ['@switchyard/routing', '@switchyard/evaluation', '@switchyard/providers', '@switchyard/analytics'],
  },
].map(({ files, ignores, banned }) => ({
  files,
  ...(ignores ? { ignores } : {}),
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [ONLY_FROM_INDEX],
        paths: banned.map((name) => ({ name, message: `dependencies run one way: ${name} may not be imported here` })),
      },
    ],
  },
}));
const boundaries = (constraints) => [
  'error',
  { enforceBuildableLibDependency: true, allow: [], depConstraints: constraints },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/.infra', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      // Per project (`nx lint <project>`, editors): the project service finds each file's tsconfig. The whole
      // repository at once (`npm run lint`, `npm test`; LINT_ONE_PROGRAM=1): one TypeScript program for every
      // file, tsconfig.check.json's, about 40 s where 24 project runs each rebuilding their libraries' types
      // took three minutes alone and six beside the unit tests (the project service over the whole tree runs
      // out of memory).
      parserOptions: process.env.LINT_ONE_PROGRAM
        ? { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname }
        : { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      'no-restricted-imports': ['error', { patterns: [ONLY_FROM_INDEX] }],
      '@nx/enforce-module-boundaries': boundaries(depConstraints),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', 'apps/e2e/**/*.ts', 'libs/testing/**/*.ts'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@nx/enforce-module-boundaries': boundaries(
        depConstraints.map((c) =>
          c.onlyDependOnLibsWithTags
            ? { ...c, onlyDependOnLibsWithTags: [...new Set([...c.onlyDependOnLibsWithTags, 'type:testing'])] }
            : c,
        ),
      ),
    },
  },
  ...oneWay,
];
