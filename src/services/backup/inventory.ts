// What is in a backup directory for one database: opsdeck's own files (by name), each judged against
// its checksum sidecar, and the free space of the filesystem they are on. Foreign files are not listed.
import { readdir, readFile, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { judgeBackupFile, parseBackupFileName, sidecarName, type BackupFile, type BackupInventory, type BackupSpace } from '../../domain/backup.js';
import type { DatabaseKind } from '../../domain/database.js';

/** A sidecar is a few hundred bytes: one larger is not ours. */
const MAX_SIDECAR = 64 * 1024;


async function readSidecar(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_SIDECAR) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Free space for an unprivileged writer (what a backup can use), and the filesystem's size. */
export async function backupSpace(dir: string): Promise<BackupSpace> {
  const fs = await statfs(dir);
  return { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
}

/** The directory, or the nearest parent that exists (whose filesystem a first backup will create it on). */
async function existingAncestor(dir: string): Promise<string> {
  for (let path = dir; ; path = dirname(path)) {
    if ((await stat(path).catch(() => undefined))?.isDirectory() || path === dirname(path)) return path;
  }
}

/** Every backup of `database` in `dir`, newest first; a directory not made yet (no backup so far) holds none. */
export async function listBackups(dir: string, database: string, kind: DatabaseKind): Promise<BackupInventory> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { dir, files: [], space: await backupSpace(await existingAncestor(dir)), missing: true };
  }
  const files: BackupFile[] = [];
  for (const name of names) {
    const at = parseBackupFileName(database, kind, name);
    if (at === undefined) continue;
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (!info?.isFile()) continue;
    files.push(judgeBackupFile(name, at, info.size, await readSidecar(join(dir, sidecarName(name)))));
  }
  files.sort((a, b) => b.at - a.at);
  return { dir, files, space: await backupSpace(dir) };
}
