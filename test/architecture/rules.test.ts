// The dependency rules (depcruise/) must catch what they forbid. A copy of src gets one planted bad
// import per rule, plus plants that must pass (type-only imports), and is cruised with the project's
// own configs the way `npm run lint` runs them: every plant must be reported under its rule and
// nothing else may be. The real src must have no violation at all.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const CONFIGS = ['imports', 'runtime'] as const;

/** Files added to the copy of src, each with the rules it must break (none: it must pass). */
const PLANTS: Record<string, { rules: string[]; source: string }> = {
  'src/panes/PlantedAudit.tsx': {
    rules: ['ui-not-to-services', 'ui-not-reaching-io'],
    source: "import { auditLogPath } from '../services/audit.js';\nexport const planted = auditLogPath();\n",
  },
  'src/app/planted-reader.ts': {
    rules: [],
    source: "import { readFileSync } from 'node:fs';\nexport type Text = string;\nexport const read = (path: string): Text => readFileSync(path, 'utf8');\n",
  },
  'src/panes/PlantedViaApp.tsx': {
    rules: ['ui-not-reaching-io'],
    source: "import { read } from '../app/planted-reader.js';\nexport const planted = read;\n",
  },
  // Erased by tsc: this pane loads nothing, so it reaches no I/O.
  'src/panes/PlantedTypeOnly.tsx': {
    rules: [],
    source: "import type { Text } from '../app/planted-reader.js';\nexport const planted: Text = '';\n",
  },
  'src/hooks/planted-ssh.ts': {
    rules: ['ui-not-reaching-io', 'client-libraries-loaded-lazily', 'client-libraries-through-one-module'],
    source: "import { Client } from 'ssh2';\nexport const planted = Client;\n",
  },
  'src/services/planted-store.ts': {
    rules: ['services-not-to-app'],
    source: "import { createOpsStore } from '../app/store.js';\nexport const planted = createOpsStore;\n",
  },
  'src/services/planted-pg.ts': {
    rules: ['client-libraries-loaded-lazily', 'client-libraries-through-one-module'],
    source: "import pg from 'pg';\nexport const planted = pg;\n",
  },
  // Loaded lazily, but not through src/services/libraries.ts.
  'src/services/planted-lazy-pg.ts': {
    rules: ['client-libraries-through-one-module'],
    source: "export const planted = () => import('pg');\n",
  },
  'src/cli/planted-declaration.ts': {
    rules: ['cli-work-loaded-lazily'],
    source: "import { schema } from './work/config-commands.js';\nexport const planted = schema;\n",
  },
  // What a declaration does: its work is imported when the command runs.
  'src/cli/planted-lazy-declaration.ts': {
    rules: [],
    source: "export const planted = async (): Promise<void> => (await import('./work/config-commands.js')).schema();\n",
  },
  'src/services/planted-react.ts': {
    rules: ['services-not-to-react-zustand'],
    source: "import { useState } from 'react';\nexport const planted = useState;\n",
  },
  'src/domain/planted-fs.ts': {
    rules: ['domain-not-to-io'],
    source: "import { readFileSync } from 'node:fs';\nexport const planted = readFileSync;\n",
  },
  'src/domain/planted-app.ts': {
    rules: ['domain-only-to-domain'],
    source: "import { scrollTop } from '../app/layout.js';\nexport const planted = scrollTop;\n",
  },
  'src/domain/planted-yaml.ts': {
    rules: ['domain-only-pure-packages'],
    source: "import { parse } from 'yaml';\nexport const planted = parse;\n",
  },
  'src/domain/planted-missing.ts': {
    rules: ['not-to-unresolvable'],
    source: "import { nothing } from './planted-nowhere.js';\nexport const planted = nothing;\n",
  },
  'src/app/planted-pane.ts': {
    rules: ['app-not-to-panes-hooks'],
    source: "import { fit } from '../panes/format.js';\nexport const planted = fit;\n",
  },
  // Type-only still counts here: it is src/app knowing about ink.
  'src/app/planted-key.ts': {
    rules: ['app-not-to-react'],
    source: "import type { Key } from 'ink';\nexport type Planted = Key;\n",
  },
  'src/app/planted-zustand.ts': {
    rules: ['app-only-zustand-vanilla'],
    source: "import { useStore } from 'zustand';\nexport const planted = useStore;\n",
  },
  'src/app/planted-entry.ts': {
    rules: ['not-to-entry'],
    source: "import { buildCli } from '../cli.js';\nexport const planted = buildCli;\n",
  },
  // A cycle is reported once, from the first module of it in path order.
  'src/app/planted-cycle-a.ts': {
    rules: ['no-runtime-cycles'],
    source: "import { b } from './planted-cycle-b.js';\nexport const a = (): unknown => b;\n",
  },
  'src/app/planted-cycle-b.ts': {
    rules: [],
    source: "import { a } from './planted-cycle-a.js';\nexport const b = (): unknown => a;\n",
  },
  // A cycle of types only orders nothing at run time.
  'src/app/planted-type-cycle-a.ts': {
    rules: [],
    source: "import type { B } from './planted-type-cycle-b.js';\nexport interface A { b?: B }\n",
  },
  'src/app/planted-type-cycle-b.ts': {
    rules: [],
    source: "import type { A } from './planted-type-cycle-a.js';\nexport interface B { a?: A }\n",
  },
};

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  via?: { name: string }[];
}

/** Runs the depcruise CLI as `npm run lint` does and returns its violations (a non-zero exit is expected when there are some). */
function cruise(cwd: string, config: string): Promise<Violation[]> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [DEPCRUISE, 'src', '--config', config, '--output-type', 'json'], { cwd, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      try {
        done((JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations);
      } catch {
        fail(new Error(`depcruise --config ${config} gave no report: ${error?.message ?? ''}\n${stderr}`));
      }
    });
  });
}

const named = (violations: Violation[]) => [...new Set(violations.map((v) => `${v.rule.name} ${v.from}`))].sort();

// A cruise takes 2-4 s of CPU; with the rest of the suite running beside it on two cores, several times that.
const CRUISE_TIMEOUT = 60_000;

describe('the real src', () => {
  it.each(CONFIGS)(
    'breaks no %s rule',
    async (config) => {
      expect(await cruise(ROOT, join(ROOT, `depcruise/${config}.mjs`))).toEqual([]);
    },
    CRUISE_TIMEOUT,
  );
});

describe('planted bad imports', () => {
  let copy: string;
  const found: Violation[] = [];

  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), 'opsdeck-rules-'));
    cpSync(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
    cpSync(join(ROOT, 'tsconfig.json'), join(copy, 'tsconfig.json'));
    cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    for (const [path, { source }] of Object.entries(PLANTS)) {
      mkdirSync(dirname(join(copy, path)), { recursive: true });
      writeFileSync(join(copy, path), source);
    }
    for (const config of CONFIGS) {
      // node_modules is a link here: keep its path, or packages would resolve outside the copy and match no rule.
      writeFileSync(
        join(copy, `${config}.mjs`),
        `import base from ${JSON.stringify(join(ROOT, `depcruise/${config}.mjs`))};\n` +
          'export default { ...base, options: { ...base.options, preserveSymlinks: true } };\n',
      );
    }
    const reports = await Promise.all(CONFIGS.map((config) => cruise(copy, `${config}.mjs`)));
    found.push(...reports.flat());
  }, 2 * CRUISE_TIMEOUT);

  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('reports each plant under its rule, and nothing else', () => {
    const expected = Object.entries(PLANTS).flatMap(([path, { rules }]) => rules.map((rule) => `${rule} ${path}`));
    expect(named(found)).toEqual(expected.sort());
  });

  it('names the chain through src/app by which a pane reaches I/O', () => {
    const reach = found.find((v) => v.rule.name === 'ui-not-reaching-io' && v.from === 'src/panes/PlantedViaApp.tsx');
    expect(reach?.via?.map((step) => step.name)).toEqual(['src/app/planted-reader.ts', 'fs']);
  });
});
