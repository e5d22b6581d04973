/**
 * "New execution" (`#/start/<state machine ARN>`, or `#/start/<ARN>?from=<execution ARN>`): the console's
 * form, a name and an input editor, pre-filled with the input of the execution it was opened from, or else
 * of the state machine's newest execution. Start calls StartExecution and opens the new execution's page;
 * a refused call (invalid JSON, a name already used) shows AWS's error and keeps what was typed.
 */
import * as api from './api';
import { errorBanner, executionHref } from './components';
import { arnName, html, prettyJson, setHtml } from './html';

export class NewExecutionPage {
  /** A form: nothing on it changes by itself, so it is read once and not polled. */
  settled?: string;
  private filled = false;
  private readonly form: HTMLFormElement;
  private readonly problem: HTMLElement;
  private readonly inputField: HTMLTextAreaElement;
  private readonly source: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly stateMachineArn: string,
    /** The execution whose input the editor starts with. */
    private readonly from: string | undefined,
  ) {
    root.innerHTML = html`
      <nav class="breadcrumb"><a href="#/">Executions</a> › ${arnName(stateMachineArn)} › New execution</nav>
      <h1>New execution of ${arnName(stateMachineArn)}</h1>
      <section class="panel">
        <form class="new-execution" data-new-execution>
          <div data-part="problem"></div>
          <label>Name <span class="muted">(optional: the runtime makes one up, as AWS does)</span>
            <input name="name" data-field="name" autocomplete="off" spellcheck="false" maxlength="80">
          </label>
          <label>Input <span class="muted" data-part="source"></span>
            <textarea name="input" data-field="input" spellcheck="false">{}</textarea>
          </label>
          <div class="form-actions"><button type="submit" data-start>Start execution</button></div>
        </form>
      </section>`.text;
    this.form = root.querySelector('form') as HTMLFormElement;
    this.problem = root.querySelector('[data-part="problem"]') as HTMLElement;
    this.source = root.querySelector('[data-part="source"]') as HTMLElement;
    this.inputField = root.querySelector('[data-field="input"]') as HTMLTextAreaElement;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.start();
    });
  }

  /** Fills the editor once, with the last input; later polls (there are none once settled) change nothing. */
  async refresh(): Promise<void> {
    if (!this.filled) {
      this.filled = true;
      const from = this.from ?? (await newestExecution(this.stateMachineArn));
      if (from) {
        const execution = await api.describeExecution(from);
        // Only if the user has not started typing meanwhile.
        if (this.inputField.value === '{}') this.inputField.value = prettyJson(execution.input);
        setHtml(this.source, html`(the input of ${execution.name})`);
      } else setHtml(this.source, html`(the state machine has no execution yet)`);
    }
    this.settled = 'Ready: start the execution when the input is right';
  }

  private async start(): Promise<void> {
    const button = this.form.querySelector('[data-start]') as HTMLButtonElement;
    const input = this.inputField.value;
    const name = (this.form.querySelector('[data-field="name"]') as HTMLInputElement).value.trim();
    try {
      JSON.parse(input);
    } catch (error) {
      setHtml(this.problem, errorBanner('The input is not JSON', error as Error));
      return;
    }
    button.disabled = true;
    setHtml(this.problem, html``);
    try {
      const { executionArn } = await api.startExecution(this.stateMachineArn, input, name || undefined);
      location.hash = executionHref(executionArn);
    } catch (error) {
      setHtml(this.problem, errorBanner('The execution could not be started', error as Error));
      button.disabled = false;
    }
  }
}

/** The newest execution of a state machine, if it has one: one row of the executions list. */
async function newestExecution(stateMachineArn: string): Promise<string | undefined> {
  const { executions } = await api.executionsPage({ stateMachineArn, maxResults: 1 });
  return executions[0]?.executionArn;
}

/** The hash of the New execution page of a state machine, from an execution's input or the newest one's. */
export function newExecutionHref(stateMachineArn: string, from?: string): string {
  const query = from ? `?from=${encodeURIComponent(from)}` : '';
  return `#/start/${encodeURIComponent(stateMachineArn)}${query}`;
}
