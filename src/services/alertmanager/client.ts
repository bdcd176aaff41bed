// Alertmanager's v2 API: the alerts it holds, and silences created, read and expired.
import { userInfo } from 'node:os';
import type { Alert, AlertControl, AlertsSample, Silence } from '../../domain/alerts.js';
import { HttpError, requestJson, type HttpEndpoint } from '../prometheus/http.js';
import type { PollSource } from '../scheduler.js';

interface ApiAlert {
  fingerprint?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  status?: { state?: string; silencedBy?: string[] };
}

interface ApiSilence {
  id?: string;
  status?: { state?: string };
  matchers?: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  endsAt?: string;
  createdBy?: string;
  comment?: string;
}

/** The API's alert list into ours; pure, tested on a captured answer. */
export function parseAlerts(answer: unknown): Alert[] {
  if (!Array.isArray(answer)) throw new HttpError('Alertmanager answered something other than a list of alerts');
  return (answer as ApiAlert[]).flatMap((a) => {
    if (!a.fingerprint || !a.labels) return [];
    const state = a.status?.state === 'suppressed' || a.status?.state === 'unprocessed' ? a.status.state : 'active';
    const summary = a.annotations?.summary ?? a.annotations?.description;
    return [{ fingerprint: a.fingerprint, labels: a.labels, ...(summary ? { summary } : {}), since: Date.parse(a.startsAt ?? '') || 0, state, silencedBy: a.status?.silencedBy ?? [] }];
  });
}

export class AlertmanagerClient implements AlertControl {
  constructor(private readonly endpoint: HttpEndpoint) {}

  /** Every alert it holds that is not resolved: firing, silenced or inhibited. */
  async alerts(signal: AbortSignal): Promise<Alert[]> {
    return parseAlerts(await requestJson(this.endpoint, 'GET', '/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true', signal));
  }

  async silence(labels: Readonly<Record<string, string>>, durationMs: number, comment: string, signal: AbortSignal): Promise<string> {
    const now = Date.now();
    const body = {
      matchers: Object.entries(labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + durationMs).toISOString(),
      createdBy: `${userInfo().username} (opsdeck)`,
      comment,
    };
    const answer = (await requestJson(this.endpoint, 'POST', '/api/v2/silences', signal, body)) as { silenceID?: string } | undefined;
    if (!answer?.silenceID) throw new HttpError('Alertmanager took the silence but gave no id');
    return answer.silenceID;
  }

  async expire(id: string, signal: AbortSignal): Promise<void> {
    await requestJson(this.endpoint, 'DELETE', `/api/v2/silence/${encodeURIComponent(id)}`, signal);
  }

  async read(id: string, signal: AbortSignal): Promise<Silence | undefined> {
    let answer: ApiSilence;
    try {
      answer = (await requestJson(this.endpoint, 'GET', `/api/v2/silence/${encodeURIComponent(id)}`, signal)) as ApiSilence;
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return undefined;
      throw error;
    }
    const state = answer.status?.state === 'pending' || answer.status?.state === 'expired' ? answer.status.state : 'active';
    return {
      id: answer.id ?? id,
      state,
      matchers: (answer.matchers ?? []).map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true })),
      endsAt: Date.parse(answer.endsAt ?? '') || 0,
      createdBy: answer.createdBy ?? '',
      comment: answer.comment ?? '',
    };
  }
}

/** The alerts as a poll source: one request per tick. */
export function alertsSource(client: AlertmanagerClient, timeoutMs: number): PollSource<AlertsSample> {
  return { timeoutMs, collect: async (signal) => ({ at: Date.now(), alerts: await client.alerts(signal) }) };
}
