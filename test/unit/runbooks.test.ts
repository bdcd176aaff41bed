// Runbook references and where the key finds one: headings by text or anchor (any script), the
// failing item under the selection, and the pane showing it beside the failed unit.
import { describe, expect, it } from 'vitest';
import { findHeading, headingPattern, parseRunbook } from '../../src/domain/runbook.js';
import { resolveConfig } from '../../src/app/config/resolve.js';
import { loadDefaultBindings } from '../../src/app/config/default-keys.js';
import { fleetData } from '../helpers/fixtures.js';
import { renderApp } from '../helpers/render-app.js';
import { screenReader } from '../helpers/screen.js';

const MANUAL = '# Garden DX 運用手順\n\n## バックエンドの再起動\n\n手順…\n\n### Disk full (/var)\n';

describe('runbook references', () => {
  it('reads a file with a heading (relative to the config) or a URL', () => {
    expect(parseRunbook('runbooks/web.md#disk-full', '/etc/opsdeck')).toEqual({ kind: 'file', path: '/etc/opsdeck/runbooks/web.md', heading: 'disk-full' });
    expect(parseRunbook('/srv/rb.md', '/etc/opsdeck')).toEqual({ kind: 'file', path: '/srv/rb.md' });
    expect(parseRunbook('https://wiki.example/rb#x', '/etc')).toEqual({ kind: 'url', url: 'https://wiki.example/rb#x' });
  });

  it('finds a heading by its text or its GitHub anchor, Japanese included, and searches for exactly that line', () => {
    expect(findHeading(MANUAL, 'バックエンドの再起動')).toBe('## バックエンドの再起動');
    expect(findHeading(MANUAL, 'disk-full-var')).toBe('### Disk full (/var)');
    expect(findHeading(MANUAL, 'no-such-heading')).toBeUndefined();
    expect(headingPattern('### Disk full (/var)')).toBe('^### Disk full \\(\\/var\\)');
  });
});

describe('the runbook key', () => {
  it('opens the runbook of the failed unit under the cursor in Services, which shows it beside the unit', async () => {
    const config = resolveConfig(
      {
        hold: 1,
        hosts: {
          'web-1': { ssh: 'deploy@10.0.0.5', group: 'web', services: ['garden-backend.service', 'nginx.service'], runbooks: { 'nginx.service': 'https://wiki.example/nginx' } },
          'db-1': { ssh: 'deploy@10.0.0.6', group: 'db' },
          edge: { ssh: 'deploy@10.0.0.7', group: 'web' },
          local: { local: true },
        },
        runbooks: { 'garden-backend.service': 'runbooks/garden.md#バックエンドの再起動' },
      },
      '/etc/opsdeck/config.yaml',
      loadDefaultBindings(),
    ).config;
    const app = await renderApp(config, fleetData(config), { columns: 160, rows: 40, ui: { host: 'web-1' } });
    const screen = screenReader(app.frame);
    try {
      await app.press('3');
      const failed = screen.plainLine('garden-backend.service');
      expect(failed).toContain('failed');
      expect(failed).toMatch(/failed +▸o runbook/);
      await app.press('o');
      expect(app.runbooks).toEqual([{ what: 'garden-backend.service', runbook: { kind: 'file', path: '/etc/opsdeck/runbooks/garden.md', heading: 'バックエンドの再起動' } }]);
      // nginx is running: it shows no runbook, and the key says none applies rather than opening it.
      expect(screen.plainLine('nginx.service')).not.toContain('runbook');
    } finally {
      app.unmount();
    }
  });
});
