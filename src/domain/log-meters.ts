// Everything measured on one log's lines as they arrive (its access metrics, its rules), read as one
// sample. Pure: the caller gives each line's arrival time and the time of each read.
import { AccessMeter, type AccessMetrics } from './access-metrics.js';
import { RuleMeter } from './log-rules.js';
import type { LogMeasures } from './model.js';
import type { KeyCount } from './sliding-window.js';

interface RuleSample {
  name: string;
  /** Every key's matches in the window, most first. */
  keys: KeyCount[];
}

export interface LogMetricsSample {
  at: number;
  access?: AccessMetrics;
  rules: RuleSample[];
}

export class LogMeters {
  private readonly access?: AccessMeter;
  private readonly rules: RuleMeter[];

  private constructor(measures: LogMeasures) {
    if (measures.access) this.access = new AccessMeter(measures.access);
    this.rules = (measures.rules ?? []).map((spec) => new RuleMeter(spec));
  }

  /** The meters a log's config asks for; undefined when it asks for none. */
  static of(measures: LogMeasures): LogMeters | undefined {
    return measures.access || (measures.rules?.length ?? 0) > 0 ? new LogMeters(measures) : undefined;
  }

  line(text: string, nowMs: number): void {
    this.access?.line(text, nowMs);
    for (const rule of this.rules) rule.line(text, nowMs);
  }

  read(nowMs: number): LogMetricsSample {
    return {
      at: nowMs,
      ...(this.access ? { access: this.access.read(nowMs) } : {}),
      rules: this.rules.map((rule) => ({ name: rule.spec.name, keys: rule.read(nowMs) })),
    };
  }
}
