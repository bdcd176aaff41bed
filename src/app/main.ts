#!/usr/bin/env node
// opsdeck's entry point.
import { buildCli } from './cli.js';
import { runCockpit } from './cockpit.js';

await buildCli({ cockpit: runCockpit }).parseAsync(process.argv);
