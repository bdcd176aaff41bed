// Retention on real backups: keep 3 after 5 leaves the 3 newest; with the newest broken the newest
// verified one stays; a file opsdeck did not write is never deleted.
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sidecarName } from '../../src/domain/backup.js';
import { applyRetention } from '../../src/services/backup/retention.js';
import { control, listing, ownPostgres, pgSpec } from './backup-helpers.js';
import { tempDir } from './harness.js';

const dir = tempDir('opsdeck-retention-');
afterAll(() => dir.remove());

it('keep 3 after 5 backups leaves the 3 newest and the foreign files; a broken newest backup keeps the newest verified one', async () => {
  const db = await ownPostgres(50);
  try {
    const foreign = ['manual-before-upgrade.pgdump', 'opsdeck-main-20200101T000000.000Z.pgdump.keep', 'opsdeck-main-20200101T000000.000Z.pgdump'];
    for (const name of foreign) writeFileSync(join(dir.path, name), 'not opsdeck\'s: no sidecar');
    const backups = control('main', pgSpec(db.name, dir.path, { backup: { dir: dir.path, keep: 3 } }));
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const done = await backups.backup(AbortSignal.timeout(60_000), () => undefined);
      made.push(done.fileName);
      expect(done.removed).toEqual(i >= 3 ? [made[i - 3]] : []);
    }
    const newest3 = made.slice(2);
    expect(listing(dir.path)).toEqual([...foreign, ...newest3, ...newest3.map(sidecarName)].sort());

    // The newest is damaged: keep 1 keeps the newest verified one, and the damaged one is not touched.
    truncateSync(join(dir.path, made[4]!), 10);
    const result = await applyRetention(dir.path, 'main', 'postgres', { keep: 1 });
    expect(result.removed).toEqual([made[2]]);
    expect(listing(dir.path)).toEqual([...foreign, made[3]!, sidecarName(made[3]!), made[4]!, sidecarName(made[4]!)].sort());
  } finally {
    await db.drop();
  }
});
