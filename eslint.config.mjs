import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The domain core is shared by the app, the CLI and the tests: no Electron, no React there.
    files: ['main/core/**/*.ts', 'common/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['electron', 'react', 'react-dom'] }],
    },
  },
  {
    // The pure layers (bytes in, values out) know nothing of files, media, the inventory or the app.
    files: ['main/core/npki/**/*.ts', 'main/core/crypto/**/*.ts', 'main/core/asn1/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react', 'react-dom'],
          patterns: [
            {
              group: ['**/fsx', '**/fsx/**', '**/stores/**', '**/inventory', '**/inventory/**', '**/app/**', '**/ops/**', '**/scan', '**/scan/**', '**/transfer/**', '**/issuance/**'],
              message: 'npki, crypto and asn1 are pure: no files, stores, inventory or app code.',
            },
          ],
        },
      ],
    },
  },
  {
    // Front ends reach the core only through its commands (and the core composition and views to call them).
    files: ['main/handlers.ts', 'main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)core/(?!app/(commands|core|views)$)',
              allowTypeImports: true,
              message: 'Front ends call core commands (main/core/app/commands); the rules live there.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer is a sandboxed page: it shares only common/ with the other processes.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)(main|preload)(/|$)', message: 'The renderer reaches main only through the IPC contract (common/).' },
            { group: ['node:*', 'fs', 'path', 'child_process', 'electron'], message: 'No Node or Electron in the sandboxed page.' },
          ],
        },
      ],
    },
  },
  {
    // The preload only bridges the contract: it knows common/ and Electron's IPC, nothing of main.
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)main(/|$)', message: 'The preload knows only the contract (common/).' }] }],
    },
  },
)
