// services: each host's systemd units (the configured ones, or every loaded service unit).
import type { ServicesSample } from '../../../domain/model.js';
import { hostSourceId } from '../../../domain/source-id.js';
import type { SourceKindModule } from '../kind.js';
import { reduceServices } from './reduce.js';
import { markdownTable } from '../../markdown-table.js';

export const servicesKind: SourceKindModule<'services', ServicesSample> = {
  // A host linked to Prometheus has its unit states from there (node_exporter's systemd collector).
  sources: ({ hosts }) => hosts.flatMap(({ host, watch }) => (host.prometheus === undefined ? [{ id: hostSourceId(host.name, 'services'), label: 'services', collect: { poll: watch.services } }] : [])),
  reduce: reduceServices,
  snapshot: {
    hostJson: (_data, h) => ({ services: h.services?.units ?? null }),
    hostMarkdown: (_data, h) => {
      const units = h.services?.units ?? [];
      if (units.length === 0) return [];
      const failedFirst = [...units].sort((a, b) => Number(b.active === 'failed') - Number(a.active === 'failed'));
      return ['', ...markdownTable(['unit', 'active', 'sub', { name: 'restarts', align: 'right' }], failedFirst.map((u) => [u.name, u.active === 'failed' ? '**failed**' : u.active, u.sub, String(u.restarts ?? '–')]))];
    },
    hostText: (_data, h) => (h.services?.units ?? []).map((u) => `  unit ${u.name} ${u.active}/${u.sub}`),
  },
};
