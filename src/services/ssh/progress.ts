// How far one SSH handshake has got, so that waiting and timing out say where it stopped: a network
// that drops packets (no TCP), a port where something else listens (no SSH banner), a stalled key
// exchange, or a login the server is slow to finish.
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';

export type HandshakeStage = 'tcp' | 'banner' | 'kex' | 'auth';

export class HandshakeProgress {
  private current: HandshakeStage;

  /**
   * Watches `stream` before ssh2 is given it. The stream is paused so that the listener below does
   * not start the flow: ssh2 attaches its own reader and resumes it, and both see every byte.
   */
  constructor(
    stream: Duplex,
    private readonly onStage: (stage: HandshakeStage) => void,
  ) {
    this.current = stream instanceof Socket && stream.connecting ? 'tcp' : 'banner';
    if (this.current === 'tcp') stream.once('connect', () => this.reach('banner'));
    stream.pause();
    stream.once('data', () => this.reach('kex'));
  }

  /** The key exchange is done when ssh2 says so; what is left is the login. */
  watch(client: Client): void {
    client.once('handshake', () => this.reach('auth'));
  }

  get stage(): HandshakeStage {
    return this.current;
  }

  private reach(stage: HandshakeStage): void {
    const order: HandshakeStage[] = ['tcp', 'banner', 'kex', 'auth'];
    if (order.indexOf(stage) <= order.indexOf(this.current)) return;
    this.current = stage;
    this.onStage(stage);
  }
}
