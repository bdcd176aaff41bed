// What the keys reach, for tests that drive dispatch without the whole cockpit: the operations they
// give, and for the rest what does nothing (or, for the query details view's reads, fails saying so).
import type { Controls } from '../../src/app/commands.js';
import type { OperationControls } from '../../src/app/operations/controls.js';
import type { QueryReader } from '../../src/app/query-details.js';

/** Where a test does not open the query details view: every read fails, saying so. */
export const NO_QUERY_READER: QueryReader = {
  text: () => Promise.reject(new Error('this test reads no query text')),
  plan: () => Promise.reject(new Error('this test plans no query')),
  details: () => Promise.reject(new Error('this test reads no database details')),
};

export function testControls(operations: OperationControls, overrides: Partial<Controls> = {}): Controls {
  return { quit: () => undefined, setRefresh: () => undefined, operations, rememberCommand: () => Promise.resolve(), queries: NO_QUERY_READER, ...overrides };
}
