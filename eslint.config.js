// ESLint over the whole repository (src, test, bench, configs). Type-aware rules are left out: they
// need a TypeScript program per run, and `tsc` in `npm run build` already checks the types.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  // .tmp/ holds the Debian packages the tests unpack (scripts/test-tools.sh), JavaScript of theirs included.
  { ignores: ['dist/', '.tmp/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      // A missing dependency shows stale data only when that one field changes alone: rare, so never seen in a test.
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    rules: {
      // opsdeck strips and parses terminal escape sequences: control characters in its patterns are the point.
      'no-control-regex': 'off',
    },
  },
]);
