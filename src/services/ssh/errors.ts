// Why a host cannot be reached, in the words the Hosts pane shows and with what the operator can do.
import type { ConnectionState } from '../../domain/model.js';
import type { HostKeyDecision } from './host-key.js';
import type { HandshakeStage } from './progress.js';
import type { SshTarget } from './target.js';

export type ConnectionFailure = Omit<ConnectionState, 'since'>;

type Refusal = Extract<HostKeyDecision, { accepted: false }>;

export function hostKeyRefused(refusal: Refusal, name: string, target: SshTarget): ConnectionFailure {
  const fingerprint = { offered: refusal.fingerprint, known: refusal.known?.join(', ') };
  const where = target.knownHostsFiles[0] ?? '~/.ssh/known_hosts';
  switch (refusal.reason) {
    case 'changed':
      return {
        status: 'hostkey-refused',
        error: `host key refused: ${name} now offers ${refusal.type} ${refusal.fingerprint}, known_hosts has ${fingerprint.known}`,
        fingerprint,
        hint: `The host key CHANGED: a reinstalled host, or someone in the middle. Check the new fingerprint with the host's owner (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the host); trust it only then (trust dialog, or ssh-keygen -R '${name}' and connect once with ssh).`,
      };
    case 'revoked':
      return {
        status: 'hostkey-refused',
        error: `host key refused: ${name} offers ${refusal.type} ${refusal.fingerprint}, which known_hosts marks @revoked`,
        fingerprint,
        hint: 'This key was revoked on purpose: the host must get a new key before opsdeck connects to it.',
      };
    case 'unreadable':
      return {
        status: 'hostkey-refused',
        error: `host key refused: cannot check ${name} (${refusal.detail ?? 'known_hosts unreadable'})`,
        fingerprint,
        hint: `Make ${where} readable (and writable to trust new hosts).`,
      };
    default:
      return {
        status: 'hostkey-refused',
        error: `host key refused: ${name} is not in known_hosts (${refusal.type} ${refusal.fingerprint})`,
        fingerprint,
        hint: `Unknown host. Compare the fingerprint with the host's (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the host), then trust it (trust dialog, which writes ${where}), connect once with ssh, or opt in to StrictHostKeyChecking accept-new.`,
      };
  }
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function sshErrorLevel(error: unknown): string | undefined {
  return (error as { level?: string } | undefined)?.level;
}

export function authFailed(target: SshTarget, tried: string[], skipped: string[]): ConnectionFailure {
  const offered = tried.length > 0 ? tried.join(', ') : 'nothing: no ssh-agent and no readable identity file';
  return {
    status: 'auth-failed',
    error: `auth failed: ${target.user}@${target.host} accepted no key (offered ${offered})`,
    hint: [
      `Add your key to ssh-agent (ssh-add) or name one with IdentityFile in ~/.ssh/config, and make sure the host's ~${target.user}/.ssh/authorized_keys has it. opsdeck never asks for a password.`,
      ...skipped,
    ].join(' '),
  };
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** While connecting: what the handshake with `where` waits for now. */
export function handshakeStage(stage: HandshakeStage, where: string): string {
  switch (stage) {
    case 'tcp':
      return `opening a TCP connection to ${where}`;
    case 'banner':
      return `TCP connected to ${where}, waiting for its SSH banner`;
    case 'kex':
      return `key exchange with ${where}`;
    case 'auth':
      return `logging in to ${where}`;
  }
}

/** A handshake that did not finish within the connect timeout, named by where it stopped. */
export function handshakeTimedOut(stage: HandshakeStage, where: string, timeoutMs: number): ConnectionFailure {
  const within = `within ${seconds(timeoutMs)}`;
  switch (stage) {
    case 'tcp':
      return { status: 'unreachable', error: `no TCP connection to ${where} ${within}`, hint: 'The network or a firewall drops the packets; opsdeck keeps retrying.' };
    case 'banner':
      return {
        status: 'unreachable',
        error: `no SSH banner ${within} (is this port an SSH server?)`,
        hint: `${where} accepts TCP connections but says nothing: another service listens on that port, or sshd is overloaded (MaxStartups). Check the port in the host's ssh: value or ~/.ssh/config.`,
      };
    case 'kex':
      return { status: 'unreachable', error: `SSH handshake timed out: ${where} sent its banner, but the key exchange did not finish ${within}`, hint: 'An overloaded sshd or something in the middle of the connection; opsdeck keeps retrying.' };
    case 'auth':
      return { status: 'unreachable', error: `SSH handshake timed out: the login at ${where} did not finish ${within}`, hint: 'sshd is slow to accept the login (UseDNS, PAM, a slow home directory); opsdeck keeps retrying.' };
  }
}

/** ssh2 gave up on a connection whose host stopped answering (hung, or a network that drops packets). */
export function isKeepaliveTimeout(error: unknown): boolean {
  return error instanceof Error && /keepalive/i.test(error.message);
}

/** A failure to connect or a lost connection, as a state for the Hosts pane. */
export function describeFailure(error: unknown, target: SshTarget | undefined, connectTimeoutMs: number): ConnectionFailure {
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  const level = sshErrorLevel(error);
  const where = target ? `${target.host}:${target.port}` : 'the host';
  if (code === 'ECONNREFUSED') return { status: 'unreachable', error: `connection refused by ${where}`, hint: 'Is sshd running there, on this port?' };
  if (isKeepaliveTimeout(error)) return { status: 'unreachable', error: 'timed out: the host stopped answering keepalives', hint: 'Network cut, or the host is hung; opsdeck keeps retrying.' };
  if (level === 'client-timeout' || code === 'ETIMEDOUT' || /timed out/i.test(message)) {
    return { status: 'unreachable', error: `timed out: no SSH handshake with ${where} within ${Math.round(connectTimeoutMs / 1000)} s`, hint: 'Something listens there but does not speak SSH, or the network drops packets.' };
  }
  if (level === 'client-dns' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { status: 'unreachable', error: `host not found: ${target?.host ?? message}`, hint: 'Check the name, or HostName in ~/.ssh/config.' };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { status: 'unreachable', error: `no route to ${where}` };
  if (code === 'ECONNRESET' || code === 'EPIPE') return { status: 'unreachable', error: `connection reset by ${where}` };
  // ssh2's words when the port closed the connection before any SSH was said (an HTTP server there).
  if (/lost before handshake/i.test(message)) return { status: 'unreachable', error: `${where} closed the connection before the SSH handshake`, hint: 'Is this port an SSH server? Check the port in ssh: or ~/.ssh/config.' };
  if (error instanceof Error && error.name === 'TargetError') return { status: 'unreachable', error: message, hint: 'Fix the host\'s ssh: value or ~/.ssh/config.' };
  return { status: 'unreachable', error: message || 'connection lost' };
}
