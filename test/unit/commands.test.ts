import { describe, expect, it, vi, type Mock } from 'vitest';
import { complete, runCommand, type Controls } from '../../src/app/commands.js';
import { MAX_REFRESH_MS, MIN_REFRESH_MS } from '../../src/app/refresh.js';
import { emptyData, initialUi, type DataState, type HostView, type OpsState } from '../../src/app/store.js';
import { testControls } from '../helpers/controls.js';
import { hostView as hostViewOf } from '../../src/app/apply.js';
import { DEFAULT_THRESHOLDS } from '../../src/app/config/resolve.js';

function hostView(name: string, group?: string): HostView {
  return hostViewOf({ name, local: name === 'local', ssh: name === 'local' ? undefined : `deploy@${name}`, group, services: 'auto', systemctl: 'systemctl', sudo: false, logs: 'auto', thresholds: DEFAULT_THRESHOLDS, readOnly: false });
}

function fleet(): DataState {
  const hosts = [hostView('local'), hostView('web-1', 'web'), hostView('web-2', 'web'), hostView('db-1', 'db')];
  return { ...emptyData(), hostOrder: hosts.map((h) => h.name), hosts: Object.fromEntries(hosts.map((h) => [h.name, h])) };
}

function state(ui: Partial<OpsState['ui']> = {}): OpsState {
  return { data: fleet(), ui: initialUi(ui) };
}

function controls(running = 0): Controls & { quit: Mock<() => void>; setRefresh: Mock<(ms: number) => void> } {
  const quit = vi.fn<() => void>();
  const setRefresh = vi.fn<(ms: number) => void>();
  return { ...testControls({ request: vi.fn(), start: vi.fn(), abortAll: vi.fn(() => running), refusesKind: () => undefined }), quit, setRefresh };
}

describe('runCommand', () => {
  describe('abort', () => {
    it('stops the running operations and says how many, or that none runs', () => {
      const two = controls(2);
      expect(runCommand('abort', state(), two)).toEqual({ message: 'stopping 2 operations' });
      expect(two.operations.abortAll).toHaveBeenCalledOnce();
      expect(runCommand('abort', state(), controls(0))).toEqual({ error: 'no operation is running' });
    });
  });

  describe('host', () => {
    it('host NAME shows that host and focuses Resources', () => {
      const result = runCommand('host web-1', state({ focus: 'hosts' }), controls());
      expect(result.error).toBeUndefined();
      expect(result.state).toMatchObject({ host: 'web-1', focus: 'resources' });
    });

    it('leaves a group view for the single host', () => {
      expect(runCommand('host db-1', state({ group: 'web' }), controls()).state).toMatchObject({ host: 'db-1', group: '' });
    });

    it('accepts the short alias h and surrounding spaces', () => {
      expect(runCommand('  h   web-2  ', state(), controls()).state).toMatchObject({ host: 'web-2' });
    });

    it('an unknown host is an error that lists the configured hosts', () => {
      const result = runCommand('host web-3', state(), controls());
      expect(result.state).toBeUndefined();
      expect(result.error).toContain('web-3');
      for (const name of ['local', 'web-1', 'web-2', 'db-1']) expect(result.error).toContain(name);
    });

    it('a typo gets the nearest name it could mean, a word far from every name none', () => {
      expect(runCommand('hots web-1', state(), controls()).error).toMatch(/^unknown command "hots"; did you mean "host"\? \(commands: /);
      expect(runCommand('hosts web-1', state(), controls()).error).toMatch(/^unknown command "hosts"; did you mean "host"\? /);
      expect(runCommand('lgos', state(), controls()).error).toMatch(/^unknown command "lgos"; did you mean "logs"\? /);
      expect(runCommand('zz', state(), controls()).error).toMatch(/^unknown command "zz" \(commands: /);
      expect(runCommand('pane log', state(), controls()).error).toMatch(/^no pane "log"; did you mean "logs"\? /);
      expect(runCommand('host wbe-1', state(), controls()).error).toMatch(/^no host "wbe-1"; did you mean "web-1"\? /);
      expect(runCommand('xyzzy', state(), controls()).error).toMatch(/^unknown command "xyzzy" \(commands: /);
    });

    it('a name that only exists on every JavaScript object is not a host', () => {
      for (const name of ['toString', 'constructor', '__proto__']) {
        const result = runCommand(`host ${name}`, state(), controls());
        expect(result.error ?? `accepted as a host: ${JSON.stringify(result.state)}`, name).toMatch(/no host/);
        expect(result.state, name).toBeUndefined();
      }
    });

    it('host without a name says how to use it', () => {
      expect(runCommand('host', state(), controls()).error).toMatch(/usage: host NAME/);
    });
  });

  describe('refresh', () => {
    it('sets the interval and tells the scheduler', () => {
      const c = controls();
      const result = runCommand('refresh 5s', state(), c);
      expect(c.setRefresh).toHaveBeenCalledExactlyOnceWith(5000);
      expect(result.state).toEqual({ refreshMs: 5000 });
      expect(result.error).toBeUndefined();
    });

    it('clamps a too-short interval to the floor and says so', () => {
      const c = controls();
      const result = runCommand('refresh 100ms', state(), c);
      expect(c.setRefresh).toHaveBeenCalledExactlyOnceWith(MIN_REFRESH_MS);
      expect(result.state).toEqual({ refreshMs: MIN_REFRESH_MS });
      expect(result.message).toBe('refresh 500ms: the shortest there is');
    });

    it('clamps a too-long interval to the ceiling', () => {
      const c = controls();
      runCommand('r 10m', state(), c);
      expect(c.setRefresh).toHaveBeenCalledExactlyOnceWith(MAX_REFRESH_MS);
    });

    it('refuses something that is not a duration and leaves the scheduler alone', () => {
      const c = controls();
      const result = runCommand('refresh soon', state(), c);
      expect(result.error).toMatch(/not a duration/);
      expect(c.setRefresh).not.toHaveBeenCalled();
      expect(result.state).toBeUndefined();
    });
  });

  describe('panes', () => {
    it(':logs focuses the Logs pane, like :pane logs', () => {
      expect(runCommand('logs', state(), controls()).state).toEqual({ focus: 'logs' });
      expect(runCommand('pane logs', state(), controls()).state).toEqual({ focus: 'logs' });
      expect(runCommand('events', state(), controls()).state).toEqual({ focus: 'events' });
    });

    it('an unknown pane is an error listing the panes', () => {
      const result = runCommand('pane graphs', state(), controls());
      expect(result.error).toMatch(/no pane "graphs"/);
      expect(result.error).toContain('logs');
    });
  });

  describe('group', () => {
    it('shows every host of a group, and - turns it off', () => {
      expect(runCommand('group web', state(), controls()).state).toMatchObject({ group: 'web' });
      expect(runCommand('group -', state({ group: 'web' }), controls()).state).toMatchObject({ group: '' });
    });

    it('starts the new scope\'s logs following, from all its sources', () => {
      const paused = state();
      paused.ui = { ...paused.ui, logs: { ...paused.ui.logs, anchor: 42, source: 1 } };
      expect(runCommand('group web', paused, controls()).state?.logs).toMatchObject({ anchor: null, source: -1 });
    });

    it('an unknown group is an error listing the groups', () => {
      const error = runCommand('group cache', state(), controls()).error;
      expect(error).toMatch(/no group "cache"/);
      expect(error).toContain('web');
      expect(error).toContain('db');
    });
  });

  it('filter sets the filter of the focused pane only', () => {
    const result = runCommand('filter timeout', state({ focus: 'services' }), controls());
    expect(result.state?.filters).toMatchObject({ services: 'timeout', logs: '', hosts: '' });
  });

  it('quit asks the app to quit', () => {
    const c = controls();
    runCommand('quit', state(), c);
    expect(c.quit).toHaveBeenCalledOnce();
  });

  it('an unknown command is an error that lists the commands', () => {
    const result = runCommand('restart nginx', state(), controls());
    expect(result.error).toMatch(/unknown command "restart"/);
    for (const name of ['host', 'refresh', 'pane', 'filter', 'quit']) expect(result.error).toContain(name);
  });

  it('an empty line does nothing', () => {
    expect(runCommand('   ', state(), controls())).toEqual({});
  });
});

describe('complete', () => {
  const data = fleet();

  it('a unique prefix completes the command with a trailing space', () => {
    expect(complete('ref', data)).toEqual({ input: 'refresh ', candidates: ['refresh'] });
    expect(complete('gr', data)).toEqual({ input: 'group ', candidates: ['group'] });
  });

  it('an ambiguous prefix extends to what the candidates share and lists them', () => {
    const result = complete('ho', data);
    expect(result.input).toBe('host');
    expect([...result.candidates].sort()).toEqual(['host', 'hosts']);
  });

  it('an ambiguous prefix with nothing more in common stays as typed', () => {
    const result = complete('h', data);
    expect(result.input).toBe('h');
    expect([...result.candidates].sort()).toEqual(['help', 'host', 'hosts']);
  });

  it('nothing matching leaves the input alone', () => {
    expect(complete('xyz', data)).toEqual({ input: 'xyz', candidates: [] });
  });

  it('completes host names after "host "', () => {
    expect(complete('host d', data)).toEqual({ input: 'host db-1', candidates: ['db-1'] });
    const web = complete('host w', data);
    expect(web.input).toBe('host web-');
    expect(web.candidates).toEqual(['web-1', 'web-2']);
    expect(complete('host ', data).candidates).toEqual(['local', 'web-1', 'web-2', 'db-1']);
  });

  it('completes host names after the alias "h "', () => {
    expect(complete('h d', data).input).toBe('h db-1');
  });

  it('completes pane names after "pane " and groups after "group "', () => {
    expect(complete('pane lo', data).input).toBe('pane logs');
    expect(complete('group w', data).input).toBe('group web');
  });

  it('a completed command runs', () => {
    const c = controls();
    const line = complete('host d', data).input;
    expect(runCommand(line, state(), c).state).toMatchObject({ host: 'db-1' });
  });
});
