// Which room may import which, judged on every import in the source, type-only ones included:
// a type names the room it comes from, so `import type { Key } from 'ink'` in src/app is still
// src/app knowing about ink. What is loaded at run time is judged in runtime.mjs.
import { ENTRY, IO_CORE, PURE_PACKAGES, REACT, UI, ZUSTAND_REACT, options } from './layers.mjs';

const SERVICES = '^src/services/';
const DOMAIN = '^src/domain/';
const APP = '^src/app/';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'ui-not-to-services',
      comment: 'Panes and hooks draw what the store holds; services are driven by src/app alone.',
      severity: 'error',
      from: { path: UI },
      to: { path: SERVICES },
    },
    {
      name: 'services-not-to-app',
      comment: 'Services are plain I/O that src/app drives: they know neither the store, nor the panes, nor the entry.',
      severity: 'error',
      from: { path: SERVICES },
      to: { path: ['^src/(app|panes|hooks)/', ENTRY] },
    },
    {
      name: 'services-not-to-react-zustand',
      comment: 'Services run without a screen and without the store (snapshot and check use them too).',
      severity: 'error',
      from: { path: SERVICES },
      to: { path: [REACT, '^node_modules/zustand/'] },
    },
    {
      name: 'domain-only-to-domain',
      comment: 'Domain shapes and functions are imported by every room, so they import none of them.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: '^src/', pathNot: DOMAIN },
    },
    {
      name: 'domain-not-to-io',
      comment: 'Domain code is pure: the same arguments give the same answer on any machine.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: IO_CORE },
    },
    {
      name: 'domain-only-pure-packages',
      comment: 'Only packages vetted as pure (PURE_PACKAGES in layers.mjs) keep domain code pure.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: '^node_modules/', pathNot: PURE_PACKAGES },
    },
    {
      name: 'app-not-to-panes-hooks',
      comment: 'State, rules and operations work without a screen (snapshot, check, tests); the panes read them, not the reverse.',
      severity: 'error',
      from: { path: APP },
      to: { path: UI },
    },
    {
      name: 'app-not-to-react',
      comment: 'React and ink belong to src/panes and src/hooks; src/app must run headless.',
      severity: 'error',
      from: { path: APP },
      to: { path: REACT },
    },
    {
      name: 'app-only-zustand-vanilla',
      comment: "The store is zustand's vanilla store; the React binding (`zustand`) lives in src/hooks.",
      severity: 'error',
      from: { path: APP },
      to: ZUSTAND_REACT,
    },
    {
      name: 'not-to-entry',
      comment: 'main, cli and cockpit wire everything together; anything importing them would import everything.',
      severity: 'error',
      from: { pathNot: ENTRY },
      to: { path: ENTRY },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve escapes every other rule, here and in runtime.mjs (whose graph is a part of this one).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: { ...options, tsPreCompilationDeps: true },
};
