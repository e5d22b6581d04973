/*
 * How the engine tells a thread, a task call or a host's wait to stop: the part of AbortSignal that the
 * engine and its host use, so an AbortSignal fits wherever a StopSignal is asked for.
 *
 * Why not AbortController: every execution needs one, and on Node 20 (V8 11) making AbortSignals at that
 * rate keeps the scavenger promoting short-lived objects to the old generation, which then holds the young
 * objects they point to: with one per execution, whole histories were promoted and scavenges took a third
 * of the bench's access change. Two other shapes do the same there, and the runtime avoids them on its
 * per-execution paths: a closure kept on the object it captures, and an object spread and then given more
 * keys (`{ ...a, b }`). Node 24 has none of this, and Stopper serves both.
 */

/** AbortSignal's subset: whether it has stopped, and listeners told once when it does. */
export interface StopSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A StopSignal and its trigger in one: `abort` tells each listener once, in the order they were added. */
export class Stopper implements StopSignal {
  aborted = false;
  private listeners?: (() => void)[];

  /** Itself, as the signal side (AbortController's name for it). */
  get signal(): StopSignal {
    return this;
  }

  /** A Stopper stops once, so every listener is told at most once (`{ once: true }` or not). */
  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    this.listeners ??= [];
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners?.indexOf(listener) ?? -1;
    if (at >= 0) this.listeners?.splice(at, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) listener();
  }
}
