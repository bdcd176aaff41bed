// What Node loads: the graph of each module as tsc emits it (tsconfig's verbatimModuleSyntax), so
// `import type` is gone and cannot make a pane "reach" I/O or close a cycle. This needs a graph of
// its own: dependency-cruiser's reachability walks every edge it has, whatever the edge's type, and
// its cycle search reports one cycle per edge, so filtering type-only edges with viaOnly could hide
// a run-time cycle behind a type-only one.
import { IO, UI, options } from './layers.mjs';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'ui-not-reaching-io',
      comment:
        'Panes and hooks do no I/O, directly or through any chain of imports: drawing must never block on the ' +
        'network or the disk, and a pane must show what the store holds, not what it fetched itself.',
      severity: 'error',
      from: { path: UI },
      to: { path: IO, reachable: true },
    },
    {
      name: 'no-runtime-cycles',
      comment: 'A cycle makes module evaluation order matter (a value read before it is defined) and the rooms inseparable.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: { ...options, tsPreCompilationDeps: false },
};
