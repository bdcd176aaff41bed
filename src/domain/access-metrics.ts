// What an access log says about the service in front of it: requests per second, 4xx and 5xx per
// minute, the 5xx share over a sliding window (the runbooks' error rate) and the top statuses, paths
// and clients. Fixed memory: per-second buckets and bounded per-minute maps (sliding-window.ts).
import { parseAccessLine, type AccessLogFormat } from './access-log.js';
import type { ThresholdPair } from './model.js';
import { SlidingCounts, TopKeys, type KeyCount } from './sliding-window.js';

export interface AccessLogSpec {
  format: AccessLogFormat;
  /** Percent of requests answered 5xx over the window: warn / crit. */
  errorRate: ThresholdPair;
  windowSec: number;
  /** Fewer requests than this in the window: the error rate is shown but not judged (3 requests, 1 error is not 33 %). */
  minRequests: number;
}

/** Airzone's and Festival Planner's runbooks: over 1 % warns, over 5 % is critical. */
export const DEFAULT_ERROR_RATE: ThresholdPair = { warn: 1, crit: 5 };
/** The runbooks' alert rules take the rate over 5 minutes. */
export const DEFAULT_ERROR_WINDOW_SEC = 300;
export const DEFAULT_MIN_REQUESTS = 20;
/** The longest error-rate window: an hour of per-second buckets. */
export const MAX_ERROR_WINDOW_SEC = 3600;

/** Requests per second are over this many seconds: recent enough to see a drop, long enough to be steady. */
const RATE_SECONDS = 10;
const TOP_MINUTES = 5;
const TOP_N = 5;

export interface AccessMetrics {
  /** The second (epoch ms) they were read at: every figure counts whole seconds before it. */
  at: number;
  requestsPerSec: number;
  lastMinute: { requests: number; clientErrors: number; serverErrors: number; /** Lines that were not requests in this format. */ unparsed: number };
  window: {
    seconds: number;
    requests: number;
    serverErrors: number;
    /** Percent of requests answered 5xx; undefined without requests. */
    errorRate?: number;
    /** Enough requests to judge the rate (minRequests). */
    judged: boolean;
  };
  /** Over the last five minutes, most frequent first. */
  top: { statuses: KeyCount[]; paths: KeyCount[]; clients: KeyCount[] };
}

const REQUESTS = 0;
const CLIENT_ERRORS = 1;
const SERVER_ERRORS = 2;
const UNPARSED = 3;

export class AccessMeter {
  private readonly counts: SlidingCounts;
  private readonly statuses = new TopKeys(TOP_MINUTES);
  private readonly paths = new TopKeys(TOP_MINUTES);
  private readonly clients = new TopKeys(TOP_MINUTES);

  constructor(private readonly spec: AccessLogSpec) {
    this.counts = new SlidingCounts(Math.max(spec.windowSec, 60) + 1, 1, 4);
  }

  /**
   * A line of the log, arrived at `nowMs`. A request counts in the second its server logged it (a
   * follower's backlog of old lines is not a burst now); one stamped in the future (a clock ahead)
   * counts now, one older than the window not at all.
   */
  line(text: string, nowMs: number): void {
    const request = parseAccessLine(this.spec.format, text);
    const nowSec = Math.floor(nowMs / 1000);
    if (!request) {
      this.counts.add(nowSec, UNPARSED);
      return;
    }
    const sec = Math.min(nowSec, Math.floor((request.at ?? nowMs) / 1000));
    if (!this.counts.add(sec, REQUESTS)) return;
    if (request.status >= 500 && request.status < 600) this.counts.add(sec, SERVER_ERRORS);
    else if (request.status >= 400 && request.status < 500) this.counts.add(sec, CLIENT_ERRORS);
    this.statuses.add(sec, String(request.status));
    this.paths.add(sec, request.path);
    this.clients.add(sec, request.client);
  }

  read(nowMs: number): AccessMetrics {
    const nowSec = Math.floor(nowMs / 1000);
    // The second under way is still filling: every figure ends with the one before it.
    const last = nowSec - 1;
    const over = (seconds: number, lane: number) => this.counts.sum(last - seconds + 1, last, lane);
    const requests = over(this.spec.windowSec, REQUESTS);
    const serverErrors = over(this.spec.windowSec, SERVER_ERRORS);
    return {
      at: nowSec * 1000,
      requestsPerSec: over(RATE_SECONDS, REQUESTS) / RATE_SECONDS,
      lastMinute: { requests: over(60, REQUESTS), clientErrors: over(60, CLIENT_ERRORS), serverErrors: over(60, SERVER_ERRORS), unparsed: over(60, UNPARSED) },
      window: {
        seconds: this.spec.windowSec,
        requests,
        serverErrors,
        ...(requests > 0 ? { errorRate: (serverErrors / requests) * 100 } : {}),
        judged: requests >= this.spec.minRequests,
      },
      top: { statuses: this.statuses.top(TOP_N, last), paths: this.paths.top(TOP_N, last), clients: this.clients.top(TOP_N, last) },
    };
  }
}
