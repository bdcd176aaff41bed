// The syntax of a host's `ssh:` value. The config loader and the SSH service judge it with the same
// rules, so a value the config accepts is one the service can resolve.

export interface SshSpec {
  user?: string;
  host: string;
  port?: number;
}

// Letters, digits and the punctuation of host names, IPv4/IPv6 addresses and ssh aliases; never a
// leading "-", so a value can not be read as an option by ssh.
const HOST_TOKEN = /^[A-Za-z0-9_.%:][A-Za-z0-9_.%:-]*$/;
const USER_TOKEN = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;

/** Also judges the HostName an ssh config alias resolves to. */
export function isHostToken(host: string): boolean {
  return HOST_TOKEN.test(host);
}

/** Eight hex groups, or fewer around one "::"; an IPv4 tail counts as two, a %zone may follow. */
function isIPv6(text: string): boolean {
  const address = text.replace(/%[A-Za-z0-9_.-]+$/, '');
  const v4 = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (v4 && v4[2]!.split('.').some((n) => Number(n) > 255)) return false;
  const halves = (v4 ? `${v4[1]}0:0` : address).split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length <= 7 : groups.length === 8;
}

/** Splits `[user@]host[:port]` (IPv6 as `[::1]:22`; an alias is just `host`), or says what is wrong. */
export function parseSshSpec(spec: string): SshSpec | { error: string } {
  const at = spec.lastIndexOf('@');
  const user = at >= 0 ? spec.slice(0, at) : undefined;
  const rest = at >= 0 ? spec.slice(at + 1) : spec;
  let host = rest;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2];
  } else if (/^[^:]*:[^:]*$/.test(rest)) {
    [host, port] = rest.split(':') as [string, string];
    if (!/^\d+$/.test(port)) return { error: port === '' ? 'no port after ":"' : `port ${JSON.stringify(port)} is not a number` };
  }
  if (host === '') return { error: at >= 0 ? 'no host name after "@"' : 'no host name' };
  // A ":" is the port's separator or part of an IPv6 address, never of a name ssh could resolve.
  if (!HOST_TOKEN.test(host) || (host.includes(':') && !isIPv6(host))) return { error: 'not a host name, address or ssh config alias' };
  if (user !== undefined && !USER_TOKEN.test(user)) return { error: user === '' ? 'no user name before "@"' : 'not a user name' };
  const portNumber = port === undefined ? undefined : Number(port);
  if (portNumber !== undefined && !(portNumber >= 1 && portNumber <= 65535)) return { error: `port ${port} is out of range (1-65535)` };
  return { user, host, port: portNumber };
}
