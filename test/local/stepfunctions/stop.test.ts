import { Stopper, type StopSignal } from '../../../local/stepfunctions/engine/stop';

describe('Stopper: the engine stop signal, an AbortSignal subset', () => {
  test('tells each listener once, in the order added, and stops once', () => {
    const stopper = new Stopper();
    const told: string[] = [];
    stopper.signal.addEventListener('abort', () => told.push('first'), { once: true });
    stopper.signal.addEventListener('abort', () => told.push('second'));
    expect(stopper.signal.aborted).toBe(false);
    stopper.abort();
    stopper.abort();
    expect(stopper.signal.aborted).toBe(true);
    expect(told).toEqual(['first', 'second']);
  });

  test('a listener removed before the stop, or added after it, is not told (as AbortSignal does)', () => {
    const stopper = new Stopper();
    const told: string[] = [];
    const removed = () => told.push('removed');
    stopper.signal.addEventListener('abort', removed);
    stopper.signal.removeEventListener('abort', removed);
    stopper.signal.removeEventListener('abort', () => told.push('never added'));
    stopper.abort();
    stopper.signal.addEventListener('abort', () => told.push('late'));
    expect(told).toEqual([]);
  });

  test('an AbortSignal is a StopSignal, so hosts and tests may pass either', () => {
    const controller = new AbortController();
    const signal: StopSignal = controller.signal;
    const told: string[] = [];
    signal.addEventListener('abort', () => told.push('aborted'), { once: true });
    controller.abort();
    expect([signal.aborted, told]).toEqual([true, ['aborted']]);
  });
});
