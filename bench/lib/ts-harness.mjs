// The test harness is TypeScript whose imports say .js: importing this module maps them to the .ts
// files, so a bench can `await import('../../test/harness/….ts')` (node runs the bench with
// --experimental-transform-types; opsdeck itself runs compiled dist/).
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && /^\\.{1,2}\\//.test(specifier) && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
    throw error;
  }
}`)}`,
);
