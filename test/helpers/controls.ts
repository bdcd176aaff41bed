// What the keys reach, for tests that drive dispatch without the whole cockpit: the operations they
// give, and for the rest what does nothing (or, for the query details view's reads, fails saying so).
import type { Controls } from '../../src/app/commands.js';
import type { OperationControls } from '../../src/app/operations/controls.js';
import type { QueryReader } from '../../src/app/query-details.js';
import type { IncidentControls } from '../../src/app/incidents.js';
import { NO_RUNBOOKS } from '../../src/app/runbooks.js';

/** Where a test does not open the query details view: every read fails, saying so. */
export const NO_QUERY_READER: QueryReader = {
  text: () => Promise.reject(new Error('this test reads no query text')),
  plan: () => Promise.reject(new Error('this test plans no query')),
  details: () => Promise.reject(new Error('this test reads no database details')),
};

/** Where a test opens no incident: each call fails, saying so. */
export const NO_INCIDENTS: IncidentControls = {
  start: () => Promise.reject(new Error('this test opens no incident')),
  stop: () => Promise.reject(new Error('this test closes no incident')),
  report: () => Promise.reject(new Error('this test writes no report')),
};

export function testControls(operations: OperationControls, overrides: Partial<Controls> = {}): Controls {
  return { quit: () => undefined, setRefresh: () => undefined, operations, rememberCommand: () => Promise.resolve(), queries: NO_QUERY_READER, incidents: NO_INCIDENTS, runbooks: { index: NO_RUNBOOKS, open: () => undefined }, ...overrides };
}
