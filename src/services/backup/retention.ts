// Retention, run only after a verified backup: removes opsdeck's own verified backups past the policy
// (src/domain/backup.ts `pastRetention`), each with its sidecar; nothing else in the directory.
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pastRetention, sidecarName, type RetentionPolicy } from '../../domain/backup.js';
import type { DatabaseKind } from '../../domain/database.js';
import { listBackups } from './inventory.js';

export interface RetentionResult {
  removed: string[];
  /** Files it meant to remove and could not, with why. */
  failed: string[];
}

export async function applyRetention(dir: string, database: string, kind: DatabaseKind, policy: RetentionPolicy, now = Date.now()): Promise<RetentionResult> {
  const { files } = await listBackups(dir, database, kind);
  const result: RetentionResult = { removed: [], failed: [] };
  for (const file of pastRetention(files, policy, now)) {
    try {
      // The backup first: a sidecar left alone names nothing and is cleared by the next backup.
      await unlink(join(dir, file.fileName));
      await unlink(join(dir, sidecarName(file.fileName))).catch(() => undefined);
      result.removed.push(file.fileName);
    } catch (error) {
      result.failed.push(`${file.fileName}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  return result;
}
