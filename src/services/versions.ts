// What a bug report needs: opsdeck's version and those of the runtime and the libraries it runs on,
// each read from its package.json when asked, so the answer is what is installed, not what was built.
import { readFileSync } from 'node:fs';
import { findPackageJSON } from 'node:module';
import { arch, platform, release } from 'node:os';

/** The libraries whose behaviour a bug report most often depends on: the screen, SSH and the database clients. */
export const REPORTED_LIBRARIES = ['ink', 'react', 'ssh2', 'pg', 'mysql2', 'ioredis'] as const;

function versionIn(packageJson: string): string {
  const parsed = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : 'unknown';
}

/** opsdeck's own version, from the package.json at the root of the installed package. */
export function opsdeckVersion(): string {
  const own = findPackageJSON(new URL('../../', import.meta.url));
  return own ? versionIn(own) : 'unknown';
}

/** The version a library resolves to from opsdeck's own files, or why there is none. */
function libraryVersion(name: string): string {
  try {
    const file = findPackageJSON(name, import.meta.url);
    return file ? versionIn(file) : 'not installed';
  } catch {
    return 'not installed';
  }
}

/** `opsdeck version`: one `name version` pair a line. */
export function versionReport(): string {
  const lines = [
    `opsdeck ${opsdeckVersion()}`,
    `node ${process.versions.node} (v8 ${process.versions.v8})`,
    `platform ${platform()} ${arch()} ${release()}`,
    ...REPORTED_LIBRARIES.map((name) => `${name} ${libraryVersion(name)}`),
  ];
  return `${lines.join('\n')}\n`;
}
