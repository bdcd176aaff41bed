// Alerts as Alertmanager holds them, and the door the silence operations act through.

export interface Alert {
  /** Alertmanager's id of the alert (a hash of its labels). */
  fingerprint: string;
  labels: Readonly<Record<string, string>>;
  /** Summary or description, where the rule gives one. */
  summary?: string;
  /** When it began firing (epoch ms). */
  since: number;
  /** active, or suppressed by a silence or an inhibition. */
  state: 'active' | 'suppressed' | 'unprocessed';
  /** The silences that hold it back. */
  silencedBy: readonly string[];
}

export interface AlertsSample {
  at: number;
  alerts: Alert[];
}

export interface Silence {
  id: string;
  state: 'active' | 'pending' | 'expired';
  matchers: readonly { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  endsAt: number;
  createdBy: string;
  comment: string;
}

/** What the silence operations need from Alertmanager (src/services/alertmanager/client.ts). */
export interface AlertControl {
  /** Creates a silence matching these labels exactly, from now for `durationMs`, signed with the operator's login; its id. */
  silence(labels: Readonly<Record<string, string>>, durationMs: number, comment: string, signal: AbortSignal): Promise<string>;
  /** Ends a silence now. */
  expire(id: string, signal: AbortSignal): Promise<void>;
  /** A silence as Alertmanager has it now (how an operation sees what it did); undefined when unknown. */
  read(id: string, signal: AbortSignal): Promise<Silence | undefined>;
}
