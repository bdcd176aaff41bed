// The rooms of src/ and the modules they may or may not touch, shared by both dependency-cruiser
// configs (imports.mjs and runtime.mjs). Paths are regular expressions over dependency-cruiser's
// module names: files relative to the project root, core modules without their `node:` prefix,
// npm packages as the file they resolve to under node_modules/.

// The entry and the subcommands it wires (src/cli/): nothing else imports them.
export const ENTRY = '^src/((main|cli|cockpit)\\.tsx?$|cli/)';
// Panes and hooks: what draws the screen.
export const UI = '^src/(panes|hooks)/';

// Modules that reach the outside world. node:os is here too: homedir, hostname and load describe
// the machine, and a pane must get such facts from the store, not read them while drawing.
export const IO_CORE = '^(fs|fs/promises|child_process|net|tls|dgram|http|https|os)$';
const IO_PACKAGES = '^node_modules/(ssh2|node-ssh|pg|mysql2|ioredis|systeminformation)/';
export const IO = [IO_CORE, IO_PACKAGES];

// The client libraries, loaded when the first connection or collector of their kind opens
// (src/services/libraries.ts), and a command's work, loaded when the command runs (src/cli/work/).
export const CLIENT_LIBRARIES = '^node_modules/(ssh2|node-ssh|pg|mysql2|ioredis|systeminformation)/';
export const LIBRARIES_MODULE = '^src/services/libraries\\.ts$';
export const CLI_DECLARATIONS = '^src/(main\\.ts|cli\\.ts|cli/[^/]+\\.ts)$';
export const CLI_WORK = ['^src/cli/work/', '^src/cockpit\\.tsx$'];

// React and its renderer; zustand's root entry is its React binding (zustand/vanilla is not).
export const REACT = '^node_modules/(react|react-dom|react-reconciler|ink|ink-[^/]+)/';
export const ZUSTAND_REACT = { path: '^node_modules/zustand/', pathNot: '^node_modules/zustand/(esm/)?vanilla' };

// npm packages domain code may use: pure functions over their arguments. A new one is added here
// on purpose, after checking it does no I/O.
export const PURE_PACKAGES = '^node_modules/(ms|string-width)/';

// Options both configs share: resolve like Node's ESM loader does for this project and stop at
// package boundaries (what a package does inside is its own business; that it is imported is ours).
export const options = {
  doNotFollow: { path: '^node_modules/' },
  tsConfig: { fileName: 'tsconfig.json' },
  enhancedResolveOptions: {
    exportsFields: ['exports'],
    conditionNames: ['import', 'require', 'node', 'default', 'types'],
    mainFields: ['module', 'main', 'types', 'typings'],
  },
  skipAnalysisNotInRules: true,
};
