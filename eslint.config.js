import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';

/**
 * The layers of DESIGN.md ("Layers"), written down once: each folder of src/ and the layers it may
 * import. Imports point down only, and a surface never imports another surface. Files outside
 * src/ (test/, bench/, scripts/) belong to no layer and may import anything.
 * Order matters: a file belongs to the first pattern it matches (api/kit before api/*).
 */
export const LAYERS = [
  { type: 'kernel', pattern: 'src/kernel', may: [] },
  { type: 'store', pattern: 'src/store', may: ['kernel'] },
  { type: 'audio', pattern: 'src/audio', may: ['kernel'] },
  { type: 'providers', pattern: 'src/providers', may: ['kernel', 'audio'] },
  { type: 'core', pattern: 'src/core', may: ['kernel', 'store', 'providers', 'audio'] },
  { type: 'jobs', pattern: 'src/jobs', may: ['kernel', 'store', 'providers', 'audio', 'core'] },
  // Like every surface, the kit holds no SQL: it reaches the database through the core only.
  { type: 'kit', pattern: 'src/api/kit', may: ['kernel', 'audio', 'core'] },
  // One element per surface folder: the captured name keeps each surface to its own files.
  { type: 'surface', pattern: 'src/api/*', capture: ['surface'], may: ['kernel', 'audio', 'core', 'kit'] },
  // The rest of src/: the command line, the configuration and api/http.ts wire every layer together.
  { type: 'app', pattern: 'src', may: ['*'] },
];

/** The blob store interface, which audio/ may import for its types only. */
const BLOB_STORE = { element: { type: 'providers', fileInternalPath: 'blobs/blob-store.ts' } };

const to = (types) => ({ to: { element: { types: { anyOf: types } } } });

export const layerPolicies = [
  ...LAYERS.map(({ type, may }) => ({ from: { element: { type } }, allow: to(may) })),
  { from: { element: { type: 'surface' } }, allow: { to: { element: { type: 'surface', captured: { surface: '{{from.captured.surface}}' } } } } },
  { from: { element: { type: 'audio' } }, allow: { to: BLOB_STORE, dependency: { kind: 'type' } } },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', '.bench-data/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', AbortController: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': LAYERS.map(({ type, pattern, capture }) => ({ type, pattern, capture })),
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies: layerPolicies }],
    },
  },
);
