// What a command's declaration and its work (src/cli/work/) share: the config flags, and how a usage
// error ends the command.
import type { Command } from 'commander';

/** A command's config flags: its own --config and --read-only, or the root's given before it. */
export interface ConfigFlags {
  config?: string;
  readOnly?: boolean;
}

export const EXIT_USAGE = 2;

export function configFlags(program: Command, own: ConfigFlags): ConfigFlags {
  const root = program.opts<ConfigFlags>();
  return { config: own.config ?? root.config, readOnly: own.readOnly || root.readOnly };
}

/** Says what is wrong with the command line and exits 2, nothing done. */
export function usageError(message: string): never {
  process.stderr.write(`opsdeck: ${message}\n`);
  process.exit(EXIT_USAGE);
}
