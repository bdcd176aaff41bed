// The key table: every binding name a keymap may use, per context, with its line in `?` and the typed
// intent it stands for. Screen intents are listed here; operations bring their own keys (registry).
import { KEY_CONTEXTS, type KeyContext } from './keymap.js';
import { OPERATIONS, type OperationName } from './operations/registry.js';

const SCREEN_INTENTS = {
  global: {
    quit: 'quit opsdeck',
    help: 'this help',
    'focus-next': 'focus the next pane',
    'focus-prev': 'focus the previous pane',
    zoom: 'zoom the focused pane (again to unzoom)',
    command: 'command line (host, pane, refresh, filter, group…)',
    filter: 'filter the focused pane (regex in Logs; start with ! to invert)',
    back: 'close overlay, clear filter, unzoom',
    'refresh-slower': 'refresh less often (longer interval)',
    'refresh-faster': 'refresh more often (shorter interval)',
    pause: 'freeze the screen (collection goes on)',
    'pane-hosts': 'go to Hosts',
    'pane-resources': 'go to Resources',
    'pane-services': 'go to Services',
    'pane-logs': 'go to Logs',
    'pane-events': 'go to Events',
    'pane-databases': 'go to Databases',
    'pane-alerts': 'go to Alerts (alertmanager:)',
    timeline: 'the lasting timeline, full screen (h host, l level, / text filter)',
    incident: 'open an incident (:incident start P1..P4 TITLE), or close the open one',
    report: 'write the postmortem draft of the open (or last) incident; the status line says where',
    'open-runbook': "open the selected failing item's runbook ($PAGER at its heading; a URL shown and copied)",
  },
  list: {
    up: 'move up',
    down: 'move down',
    'page-up': 'page up',
    'page-down': 'page down',
    top: 'first row',
    bottom: 'last row (Logs: follow again)',
    select: 'open the selected row: Hosts: the host in Resources, Services and Logs; Services: the unit\'s log in Logs (Esc back); Databases: a query\'s whole text and plan; Events: the whole event, its message wrapped (Esc back)',
  },
  hosts: {
    checks: 'show the Checks view (state, latency, days left of each check) / back to the hosts',
    'sort-hosts': 'fleet overview: hosts grouped, worst first / back to config order',
  },
  databases: {
    backups: 'show each database\'s backups (age, size, verified) / back to its queries',
    details: 'PostgreSQL details: top statements (pg_stat_statements), table sizes and dead tuples, unused indexes',
  },
  logs: {
    follow: 'follow / pause the tail',
    'next-error': 'next error',
    'prev-error': 'previous error',
    'next-warning': 'next warning',
    'prev-warning': 'previous warning',
    timestamps: 'show arrival times',
    wrap: 'wrap long lines',
    'next-source': 'cycle log source (all merged, then each)',
  },
} as const satisfies Partial<Record<KeyContext, Record<string, string>>>;

type ScreenTable = typeof SCREEN_INTENTS;
export type ScreenIntent = { [C in keyof ScreenTable]: keyof ScreenTable[C] }[keyof ScreenTable];

/** A key's meaning: a screen change, an operation kind's key, or an operator command (`actions:`) by name. */
export type Intent = { kind: 'screen'; name: ScreenIntent } | { kind: 'operation'; name: OperationName } | { kind: 'action'; name: string };

export interface KeyEntry {
  help: string;
  intent: Intent;
}

function keyTable(): Record<KeyContext, Record<string, KeyEntry>> {
  const table = Object.fromEntries(KEY_CONTEXTS.map((c) => [c, {}])) as Record<KeyContext, Record<string, KeyEntry>>;
  const add = (context: KeyContext, binding: string, entry: KeyEntry) => {
    if (table[context][binding]) throw new Error(`two intents are bound as ${context}.${binding}`);
    table[context][binding] = entry;
  };
  for (const [context, intents] of Object.entries(SCREEN_INTENTS) as [keyof ScreenTable, Record<ScreenIntent, string>][]) {
    for (const [name, help] of Object.entries(intents) as [ScreenIntent, string][]) add(context, name, { help, intent: { kind: 'screen', name } });
  }
  for (const [name, operation] of Object.entries(OPERATIONS) as [OperationName, (typeof OPERATIONS)[OperationName]][]) {
    if (operation.key) add(operation.key.context, operation.key.binding, { help: operation.key.help, intent: { kind: 'operation', name } });
  }
  return table;
}

export const KEY_TABLE = keyTable();
