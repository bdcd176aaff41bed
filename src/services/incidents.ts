// Incidents on disk, where the cockpit and `opsdeck incident` both see them: `<state dir>/incidents.jsonl`
// (a line when one opens, a line when it closes) and `<state dir>/incidents/<id>/` (what the screen
// showed when it opened and when it closed: start.md, end.md).
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { incidentId, incidentsOf, openIncident, parseIncidentRecord, type Incident, type IncidentRecord, type Severity } from '../domain/incident.js';
import { currentUser } from './audit.js';
import { opsdeckStateDir } from './state-dir.js';

export type Capture = 'start' | 'end';

export class IncidentStore {
  constructor(readonly dir: string = opsdeckStateDir()) {}

  get file(): string {
    return join(this.dir, 'incidents.jsonl');
  }

  /** Every incident, oldest first; lines that are not records are skipped (counted in `skipped`). */
  async list(): Promise<{ incidents: Incident[]; skipped: number }> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const records: IncidentRecord[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const record = parseIncidentRecord(line);
      if (record) records.push(record);
      else skipped++;
    }
    return { incidents: incidentsOf(records), skipped };
  }

  async open(): Promise<Incident | undefined> {
    return openIncident((await this.list()).incidents);
  }

  /** Opens one; refused (an Error saying which) while another is open. */
  async start(severity: Severity, title: string, at = Date.now()): Promise<Incident> {
    const { incidents } = await this.list();
    const current = openIncident(incidents);
    if (current) throw new Error(`incident ${current.id} (${current.severity} ${current.title}) is still open: stop it first`);
    const id = incidentId(at, new Set(incidents.map((i) => i.id)));
    const user = currentUser();
    await this.append({ type: 'start', id, title, severity, at: new Date(at).toISOString(), user });
    return { id, title, severity, startedAt: at, startedBy: user };
  }

  /** Closes the open one; an Error when none is open. */
  async stop(at = Date.now()): Promise<Incident> {
    const current = await this.open();
    if (!current) throw new Error('no incident is open');
    const user = currentUser();
    await this.append({ type: 'stop', id: current.id, at: new Date(at).toISOString(), user });
    return { ...current, stoppedAt: at, stoppedBy: user };
  }

  async saveCapture(id: string, which: Capture, markdown: string): Promise<string> {
    const dir = join(this.dir, 'incidents', id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, `${which}.md`);
    await writeFile(path, markdown, { mode: 0o600 });
    return path;
  }

  /** undefined when it was never captured. */
  async capture(id: string, which: Capture): Promise<string | undefined> {
    return readFile(join(this.dir, 'incidents', id, `${which}.md`), 'utf8').catch(() => undefined);
  }

  /** The cockpit's report key writes its draft here (`<state dir>/reports/NAME`); returns the path. */
  async saveReport(name: string, markdown: string): Promise<string> {
    const dir = join(this.dir, 'reports');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, name);
    await writeFile(path, markdown, { mode: 0o600 });
    return path;
  }

  private async append(record: IncidentRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await appendFile(this.file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }
}
