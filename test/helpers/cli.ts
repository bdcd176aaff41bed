// Runs the built CLI (dist/) as a user would, with the project's pinned Node.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
/** The launcher users run (pinned Node, memory flags). */
export const LAUNCHER = fileURLToPath(new URL('../../bin/opsdeck', import.meta.url));

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): { code: number | null; stdout: string; stderr: string } {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run the tests through \`npm test\`, which builds first`);
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, OPSDECK_CONFIG: '', XDG_CONFIG_HOME: '/nonexistent', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** For tests that serve something the CLI must reach: the test process keeps running meanwhile. */
export function runCliAsync(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, OPSDECK_CONFIG: '', XDG_CONFIG_HOME: '/nonexistent', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}
