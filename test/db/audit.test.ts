// The audit log: where it goes, what a record holds, and that secrets in query text do not.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditAppend, auditLogPath } from '../../src/services/audit.js';
import { redactLiterals } from '../../src/domain/redact.js';
import { tempDir } from './harness.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('auditAppend', () => {
  it('goes to $OPSDECK_AUDIT_LOG, else $XDG_STATE_HOME/opsdeck/audit.jsonl, else ~/.local/state', () => {
    expect(auditLogPath({ OPSDECK_AUDIT_LOG: '/x/a.jsonl', XDG_STATE_HOME: '/s' })).toBe('/x/a.jsonl');
    expect(auditLogPath({ XDG_STATE_HOME: '/s' })).toBe('/s/opsdeck/audit.jsonl');
    expect(auditLogPath({})).toMatch(/\/\.local\/state\/opsdeck\/audit\.jsonl$/);
  });

  it('appends one JSON line per record, creating the directory, readable only by its owner', async () => {
    const path = join(dir.path, 'nested', 'audit.jsonl');
    await auditAppend({ id: 'a1', action: 'db.cancel', target: 'db:main pid 1', host: 'local', outcome: 'ok', detail: { pid: 1 } }, path);
    await auditAppend({ id: 'a2', action: 'db.terminate', target: 'db:main pid 2', host: 'db-1', outcome: 'failed', error: 'boom', user: 'alice', at: '2026-01-01T00:00:00.000Z' }, path);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ action: 'db.cancel', target: 'db:main pid 1', outcome: 'ok', detail: { pid: 1 } });
    expect(Date.parse(lines[0].at)).not.toBeNaN();
    expect(typeof lines[0].user).toBe('string');
    expect(lines[1]).toEqual({ at: '2026-01-01T00:00:00.000Z', user: 'alice', id: 'a2', action: 'db.terminate', target: 'db:main pid 2', host: 'db-1', outcome: 'failed', error: 'boom' });
    expect(statSync(path).mode & 0o077).toBe(0);
  });
});

describe('redactLiterals', () => {
  it('replaces string literals, dollar quotes and unterminated tails, keeping the statement readable', () => {
    expect(redactLiterals("ALTER USER app PASSWORD 'hunter2'", 'postgres')).toBe("ALTER USER app PASSWORD '?'");
    expect(redactLiterals("SELECT 'it''s', $$body$$, $fn$x$fn$ FROM t WHERE id = 42", 'postgres')).toBe("SELECT '?', '?', '?' FROM t WHERE id = 42");
    expect(redactLiterals("INSERT INTO t VALUES ('abc", 'postgres')).toBe("INSERT INTO t VALUES ('?");
    expect(redactLiterals('SET PASSWORD = "secret" -- x', 'mysql')).toBe('SET PASSWORD = "?" -- x');
    expect(redactLiterals('SELECT "col" FROM t', 'postgres')).toBe('SELECT "col" FROM t');
  });
});
