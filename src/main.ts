#!/usr/bin/env node
// opsdeck's entry point. React picks its build when first imported: the production one is several
// times cheaper per frame, so the environment is set before anything loads it.
process.env.NODE_ENV ??= 'production';
const { buildCli } = await import('./cli.js');
const { runCockpit } = await import('./cockpit.js');
await buildCli({ cockpit: runCockpit }).parseAsync(process.argv);
