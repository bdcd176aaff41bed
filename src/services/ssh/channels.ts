// Channel slots of one SSH connection: OpenSSH refuses the channel past MaxSessions (10 by default)
// outright, so opsdeck queues below it, and log followers (which hold a channel for as long as they
// run) never take the slots the probes need.

type Kind = 'exec' | 'follow';

interface Waiter {
  kind: Kind;
  grant: (release: () => void) => void;
  fail: (error: Error) => void;
}

export class ChannelSlots {
  private inUse = 0;
  private followers = 0;
  private readonly queue: Waiter[] = [];
  private readonly yielders = new Set<() => void>();
  private closedWith: Error | undefined;

  /**
   * @param limit channels open at once, below the server's MaxSessions
   * @param followerLimit of which log followers may hold at most this many
   */
  constructor(
    readonly limit: number,
    readonly followerLimit: number,
  ) {
    if (followerLimit >= limit) throw new Error('followers must leave at least one channel for probes');
  }

  get busy(): number {
    return this.inUse;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Resolves with a release function once a slot is free; rejects if the signal aborts or the
   * connection goes. `onQueued` is called when the slot is not free at once.
   */
  acquire(kind: Kind, signal?: AbortSignal, onQueued?: () => void): Promise<() => void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(signal?.reason as Error);
      };
      const waiter: Waiter = {
        kind,
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.dispatch();
      if (!this.queue.includes(waiter)) return;
      onQueued?.();
      // A follower past its own limit waits for another follower, not for a free slot.
      if (this.starved) this.callForSlots();
    });
  }

  /** Every slot is taken and a channel waits for one. */
  get starved(): boolean {
    return this.inUse >= this.limit && this.queue.length > 0;
  }

  /** A channel waits (for a slot here, or for a session the server refused): holders that can, give theirs back. */
  callForSlots(): void {
    for (const yieldSlot of [...this.yielders]) yieldSlot();
  }

  /**
   * `listener` is called whenever a channel has to wait (callForSlots): a holder that can give its
   * slot back (an idle probe shell) does so then. Returns the unsubscribe.
   */
  whenWaited(listener: () => void): () => void {
    this.yielders.add(listener);
    return () => this.yielders.delete(listener);
  }

  /** The connection is gone: every waiter fails with its reason, and no slot is handed out again. */
  close(error: Error): void {
    this.closedWith = error;
    for (const waiter of this.queue.splice(0)) waiter.fail(error);
  }

  private fits(kind: Kind): boolean {
    return this.inUse < this.limit && (kind === 'exec' || this.followers < this.followerLimit);
  }

  private dispatch(): void {
    for (let i = 0; i < this.queue.length; ) {
      const waiter = this.queue[i]!;
      if (!this.fits(waiter.kind)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.inUse++;
      if (waiter.kind === 'follow') this.followers++;
      let released = false;
      waiter.grant(() => {
        if (released) return;
        released = true;
        this.inUse--;
        if (waiter.kind === 'follow') this.followers--;
        this.dispatch();
      });
    }
  }
}
