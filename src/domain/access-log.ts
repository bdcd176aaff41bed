// One line of a web server's access log as a request: its status, path, client and time. nginx and
// Apache write the same "combined" format by default (nginx escapes a quote in the request as \x22,
// Apache as \"); `json` is one object per line with a status field, as nginx's `escape=json`
// log_format or an application's own logger writes it. Pure: the caller gives the line.
import { jsonObject } from './json-line.js';

export const ACCESS_LOG_FORMATS = ['nginx', 'apache', 'json'] as const;
export type AccessLogFormat = (typeof ACCESS_LOG_FORMATS)[number];

export interface AccessRequest {
  status: number;
  /** The request's path without its query string; "-" when the request line was not one (a TLS handshake sent to port 80). */
  path: string;
  client: string;
  /** When the server logged it (epoch ms), where the line says. */
  at?: number;
}

// Every part is a run of one kind of character with a fixed delimiter after it, so matching is
// linear in the line's length, whatever the line holds. The referrer and user agent are not read.
const COMBINED = /^(\S+) \S+ \S+ \[([^\]]{1,64})\] "((?:[^"\\]|\\.)*)" (\d{3}) /;

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** `10/Oct/2000:13:55:36 -0700` (nginx's $time_local, Apache's %t) as epoch ms; undefined when it is not that. */
export function parseCommonLogTime(text: string): number | undefined {
  const m = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  const month = m ? MONTHS[m[2]!] : undefined;
  if (!m || month === undefined) return undefined;
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offsetMin = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  return utc - offsetMin * 60_000;
}

/** The path of a request line ("GET /a?b=1 HTTP/1.1" is /a); "-" when it is no request line. */
export function requestPath(request: string): string {
  const parts = request.split(' ');
  const target = parts.length === 3 || parts.length === 2 ? parts[1]! : '';
  if (!target.startsWith('/') && !/^https?:\/\//.test(target)) return '-';
  const query = target.indexOf('?');
  return query < 0 ? target : target.slice(0, query);
}

function parseCombined(line: string): AccessRequest | undefined {
  const m = COMBINED.exec(line);
  if (!m) return undefined;
  return { client: m[1]!, at: parseCommonLogTime(m[2]!), path: requestPath(m[3]!), status: Number(m[4]) };
}

const pick = (record: Record<string, unknown>, names: readonly string[]): unknown => {
  for (const name of names) if (record[name] !== undefined && record[name] !== null && record[name] !== '') return record[name];
  return undefined;
};

/** A JSON time: ISO 8601 text, or a number of seconds (or milliseconds) since the epoch. */
function jsonTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value > 1e12 ? value : value * 1000;
  if (typeof value !== 'string') return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

// Field names as nginx's variables, common loggers and the ECS-style flat keys name them.
const STATUS_FIELDS = ['status', 'status_code', 'statusCode', 'http_status', 'response_status'];
const PATH_FIELDS = ['path', 'uri', 'request_uri', 'url'];
const CLIENT_FIELDS = ['remote_addr', 'client_ip', 'client', 'ip', 'remote_ip'];
const TIME_FIELDS = ['time', 'time_iso8601', 'timestamp', '@timestamp', 'ts'];

function parseJson(line: string): AccessRequest | undefined {
  if (!line.startsWith('{')) return undefined;
  const record = jsonObject(line);
  if (!record) return undefined;
  const status = Number(pick(record, STATUS_FIELDS));
  if (!Number.isInteger(status) || status < 100 || status > 999) return undefined;
  const path = pick(record, PATH_FIELDS);
  const request = pick(record, ['request']);
  const client = pick(record, CLIENT_FIELDS);
  return {
    status,
    path: typeof path === 'string' ? requestPath(`GET ${path}`) : typeof request === 'string' ? requestPath(request) : '-',
    client: typeof client === 'string' ? client : '-',
    at: jsonTime(pick(record, TIME_FIELDS)),
  };
}

/** The request a line records, or undefined when the line is not one in that format. */
export function parseAccessLine(format: AccessLogFormat, line: string): AccessRequest | undefined {
  return format === 'json' ? parseJson(line) : parseCombined(line);
}
