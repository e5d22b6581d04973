/**
 * The form a waiting task's details offer: send SendTaskSuccess (with a JSON output) or SendTaskFailure
 * (with an error and a cause) for its task token, as the system that received the token would. This is a
 * convenience of the local runtime, and says so: the console has no such form.
 *
 * One form is one element that lives as long as its task waits; the execution page puts it back into the
 * details panel after each re-render, so what was typed survives the live updates.
 */
import { checkOutput, type WaitingTask } from '../waiting-tasks';
import * as api from './api';
import { html, setHtml } from './html';

type Send = 'success' | 'failure';

/** What the form tells the page: a call refused by the runtime, and a call that went through. */
export interface CallbackHooks {
  /** A send begins: a refusal shown for an earlier one no longer applies. */
  readonly sending: () => void;
  readonly refused: (title: string, error: Error) => void;
  /** The runtime took it: the page reads the execution again to show it moving on. */
  readonly sent: () => Promise<void>;
}

const SENT: Record<Send, string> = {
  success: 'Task success sent: the execution goes on.',
  failure: 'Task failure sent: the task fails with it, and its Retry or Catch (if any) applies.',
};

export class CallbackForm {
  readonly element: HTMLElement;
  private busy = false;

  constructor(
    task: WaitingTask,
    private readonly hooks: CallbackHooks,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'callback';
    this.element.setAttribute('data-callback', String(task.scheduledEventId));
    const id = `callback-${task.scheduledEventId}`;
    setHtml(
      this.element,
      html`
        <p class="local-only" data-local-only>
          <strong>Local runtime only.</strong> In AWS, your system sends this with SendTaskSuccess or
          SendTaskFailure and the task token it was given; the console has no such form.
        </p>
        <label class="field" for="${id}-token">Task token</label>
        <input id="${id}-token" name="taskToken" data-field="token" value="${task.token ?? ''}"
               spellcheck="false" autocomplete="off">
        <div class="hint muted">${
          task.token
            ? html`As the task sent it, at <code>${task.tokenPath}</code> of its parameters.`
            : html`The definition does not put <code>$$.Task.Token</code> where this page can read it back
                (it is part of a longer string): paste the token the task sent.`
        }</div>
        <form data-send="success">
          <h5>Send task success</h5>
          <label class="field" for="${id}-output">Output (JSON)</label>
          <textarea id="${id}-output" name="output" data-field="output" rows="3" spellcheck="false">{}</textarea>
          <div class="error-text" data-invalid role="alert" hidden></div>
          <button type="submit">Send task success</button>
        </form>
        <form data-send="failure">
          <h5>Send task failure</h5>
          <label class="field" for="${id}-error">Error</label>
          <input id="${id}-error" name="error" data-field="error" spellcheck="false"
                 placeholder="e.g. Review.Declined">
          <label class="field" for="${id}-cause">Cause</label>
          <textarea id="${id}-cause" name="cause" data-field="cause" rows="2"></textarea>
          <button type="submit">Send task failure</button>
        </form>
        <p class="muted" data-sent role="status"></p>`,
    );
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      const send = (event.target as Element).getAttribute('data-send');
      if (send === 'success' || send === 'failure') void this.send(send);
    });
  }

  private field(name: string): HTMLInputElement | HTMLTextAreaElement {
    return this.element.querySelector(`[data-field="${name}"]`) as HTMLInputElement;
  }

  private async send(send: Send): Promise<void> {
    if (this.busy) return;
    const token = this.field('token').value.trim();
    const invalid = this.element.querySelector('[data-invalid]') as HTMLElement;
    invalid.hidden = true;
    let call: () => Promise<void>;
    if (send === 'success') {
      const output = this.field('output').value;
      const checked = checkOutput(output);
      if (!checked.ok) {
        // Not sent: AWS would refuse it as InvalidOutput; say why before asking.
        invalid.textContent = `Not sent: the output is not JSON (${checked.message}).`;
        invalid.hidden = false;
        return;
      }
      call = () => api.sendTaskSuccess(token, output);
    } else {
      const error = this.field('error').value;
      const cause = this.field('cause').value;
      call = () => api.sendTaskFailure(token, { ...(error ? { error } : {}), ...(cause ? { cause } : {}) });
    }
    this.setBusy(true, send);
    this.hooks.sending();
    try {
      await call();
    } catch (error) {
      this.setBusy(false, send);
      this.hooks.refused(
        `Task ${send} could not be sent`,
        error instanceof Error ? error : new Error(String(error)),
      );
      return;
    }
    // Sent: the form stays disabled until the task no longer waits (the page then drops it).
    (this.element.querySelector('[data-sent]') as HTMLElement).textContent = SENT[send];
    await this.hooks.sent();
  }

  private setBusy(busy: boolean, send: Send): void {
    this.busy = busy;
    for (const control of this.element.querySelectorAll<HTMLButtonElement | HTMLInputElement>(
      'button, input, textarea',
    ))
      control.disabled = busy;
    const button = this.element.querySelector(`[data-send="${send}"] button`) as HTMLButtonElement;
    button.textContent = busy ? 'Sending...' : `Send task ${send}`;
  }
}
