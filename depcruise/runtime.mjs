// What Node loads: the graph of each module as tsc emits it (tsconfig's verbatimModuleSyntax), so
// `import type` is gone and cannot make a pane "reach" I/O or close a cycle. This needs a graph of
// its own: dependency-cruiser's reachability walks every edge it has, whatever the edge's type, and
// its cycle search reports one cycle per edge, so filtering type-only edges with viaOnly could hide
// a run-time cycle behind a type-only one.
import { CLI_DECLARATIONS, CLI_WORK, CLIENT_LIBRARIES, IO, LIBRARIES_MODULE, UI, options } from './layers.mjs';

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
      name: 'client-libraries-loaded-lazily',
      comment:
        'pg, mysql2, ioredis, ssh2, node-ssh and systeminformation are ~300 modules: imported statically, every ' +
        'command would load them at start-up, `--version` included. They load when first used, through src/services/libraries.ts.',
      severity: 'error',
      from: {},
      to: { path: CLIENT_LIBRARIES, dynamic: false },
    },
    {
      name: 'client-libraries-through-one-module',
      comment: 'One module loads the client libraries, so there is one place to read what loads lazily and how.',
      severity: 'error',
      from: { pathNot: LIBRARIES_MODULE },
      to: { path: CLIENT_LIBRARIES },
    },
    {
      name: 'cli-work-loaded-lazily',
      comment:
        'src/cli.ts and src/cli/*.ts declare the commands; what a command does (config, app, services, the cockpit) ' +
        'is imported when it runs, so --help and --version print without loading it.',
      severity: 'error',
      from: { path: CLI_DECLARATIONS },
      to: { path: CLI_WORK, dynamic: false },
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
