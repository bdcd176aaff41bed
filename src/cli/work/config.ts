// The one place a command reads its config: the YAML parser and the schema (zod) load with this
// module, when a command that needs a config runs, never for --help or --version.
import { ConfigError, loadConfig, locateConfig } from '../../app/config/load.js';
import type { OpsConfig } from '../../app/config/resolve.js';
import { EXIT_USAGE, type ConfigFlags } from '../flags.js';

/** Loads the config or prints where it is wrong (stderr only) and exits 2; --read-only makes it read-only. */
export function configOrExit(flags: ConfigFlags): OpsConfig {
  let config: OpsConfig;
  try {
    config = loadConfig(locateConfig(flags.config));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.report());
      process.exit(EXIT_USAGE);
    }
    throw error;
  }
  if (flags.readOnly) config.readOnly = true;
  return config;
}
