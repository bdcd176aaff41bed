// Each test file's opsdeck (in process, or spawned, which inherits the environment) keeps its timeline,
// incidents, audit log and command history in a directory of its own: never the user's
// ~/.local/state, where one file's timeline was restored into another file's Events pane.
// A test that sets XDG_STATE_HOME or OPSDECK_AUDIT_LOG for its own process still wins.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const stateHome = mkdtempSync(join(tmpdir(), 'opsdeck-test-state-'));
process.env.XDG_STATE_HOME = stateHome;
afterAll(() => rmSync(stateHome, { recursive: true, force: true }));
