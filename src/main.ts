#!/usr/bin/env node
// opsdeck's entry point. React picks its build when first imported: the production one is several
// times cheaper per frame, so the environment is set before anything loads it.
process.env.NODE_ENV ??= 'production';
// `opsdeck snapshot | head` or a jq that gave up: the reader is gone, so there is no one to tell; end
// quietly, as cat and grep do, not with a stack trace on the terminal.
// On a terminal (the cockpit) an error is a crash, with the crash path's terminal restore.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' || process.stdout.isTTY) throw error;
  process.exit(process.exitCode ?? 0);
});
const { buildCli } = await import('./cli.js');
// The cockpit (ink, React, every pane) loads only when it runs: `check` and `snapshot` start without it.
await buildCli({ cockpit: async (config) => (await import('./cockpit.js')).runCockpit(config) }).parseAsync(process.argv);
