/**
 * The execution viewer's entry point (bundled by serve.ts with esbuild): routes on the URL hash, and keeps
 * the current page live by polling the runtime (every second, unless the page says otherwise) while the tab
 * is visible, until the page says nothing on it can change any more (an ended execution, one that does not
 * exist).
 *
 *   #/                      executions of every state machine (#/?machine=<arn> filters to one)
 *   #/execution/<arn>       one execution, as the console's execution details
 *   #/start/<arn>[?from=<execution arn>]   New execution of a state machine, its input pre-filled
 *   #/bus[?event=<id>]      each bus's rules and recent events, and the queues
 *   #/catalogue[?event=<schema name>]   every event the app defines: producers, consumers, schema, sample
 */
import { ApiError } from './api';
import { BusPage } from './bus';
import { CataloguePage } from './catalogue';
import { ExecutionPage } from './execution';
import { filters, HomePage } from './home';
import { html, setHtml } from './html';
import { NewExecutionPage } from './new-execution';

interface Page {
  refresh(): Promise<void>;
  /** Set once polling would change nothing: why, shown where "Live" was. */
  readonly settled?: string;
  /** How often to poll it, when not every POLL_MS. */
  readonly pollMs?: number;
}

const POLL_MS = 1000;

const main = document.querySelector('main') as HTMLElement;
const status = document.querySelector('[data-connection]') as HTMLElement;
let page: Page | undefined;
/** Where an AWS error answer shows (an execution that does not exist, say): above the page's content. */
let problem = document.createElement('div');
/**
 * Bumped by every poll: only the latest poll schedules the next one, so a navigation or the tab becoming
 * visible again never leaves two polling loops running, and a refresh of a page the user left is ignored.
 */
let chain = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

function route(): void {
  const hash = decodeURIComponent(location.hash.replace(/^#/, '')) || '/';
  const root = document.createElement('div');
  problem = document.createElement('div');
  main.replaceChildren(problem, root);
  if (hash.startsWith('/execution/')) {
    page = new ExecutionPage(root, hash.slice('/execution/'.length), () => void poll());
  } else if (hash.startsWith('/start/')) {
    const [machine = '', query = ''] = hash.slice('/start/'.length).split('?');
    page = new NewExecutionPage(root, machine, new URLSearchParams(query).get('from') ?? undefined);
  } else if (hash === '/bus' || hash.startsWith('/bus?')) {
    page = new BusPage(root, new URLSearchParams(hash.split('?')[1] ?? '').get('event') ?? undefined);
  } else if (hash === '/catalogue' || hash.startsWith('/catalogue?')) {
    page = new CataloguePage(root, new URLSearchParams(hash.split('?')[1] ?? '').get('event') ?? undefined);
  } else {
    const machine = new URLSearchParams(hash.split('?')[1] ?? '').get('machine');
    if (machine !== null) filters.machine = machine;
    page = new HomePage(root);
  }
  for (const link of document.querySelectorAll('nav.top a'))
    link.classList.toggle(
      'active',
      link.getAttribute('data-route') ===
        (page instanceof BusPage ? 'bus' : page instanceof CataloguePage ? 'catalogue' : 'home'),
    );
  window.scrollTo(0, 0);
  void poll();
}

/** Refreshes the current page now, then again every POLL_MS while the tab is visible and it is not settled. */
async function poll(): Promise<void> {
  clearTimeout(timer);
  const mine = ++chain;
  const current = page;
  if (!current) return;
  try {
    await current.refresh();
    if (mine !== chain) return;
    setHtml(problem, html``);
    // Nothing more to read: say why, where "Live" was, and poll no more.
    if (current.settled)
      return showStatus(current.settled, 'connection', 'Reload the page to read it again.');
    connected(true);
  } catch (error) {
    if (mine !== chain) return;
    // The runtime answered with an error: say what it said. Anything else: it did not answer.
    connected(error instanceof ApiError);
    if (error instanceof ApiError)
      setHtml(
        problem,
        html`<div class="banner banner-error" role="alert">${error.type}: ${error.message}</div>`,
      );
  }
  if (document.visibilityState === 'visible')
    timer = setTimeout(() => void poll(), current.pollMs ?? POLL_MS);
}

function connected(live: boolean): void {
  if (live) showStatus('Live', 'connection live');
  else showStatus('Not connected to the runtime: retrying', 'connection down');
}

function showStatus(text: string, className: string, title = ''): void {
  status.textContent = text;
  status.className = className;
  status.title = title;
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void poll();
  else {
    clearTimeout(timer);
    showStatus('Paused', 'connection');
  }
});
// Every copy button of every page: the clipboard API works on the runtime's page (localhost is a secure
// context); the button says whether it worked.
document.addEventListener('click', (event) => {
  const button = (event.target as Element).closest<HTMLButtonElement>('button[data-copy]');
  if (!button) return;
  const label = button.dataset.label ?? button.textContent ?? '';
  button.dataset.label = label;
  const say = (text: string) => {
    button.textContent = text;
    setTimeout(() => {
      button.textContent = label;
    }, 1500);
  };
  navigator.clipboard.writeText(button.dataset.copy ?? '').then(
    () => say('Copied'),
    () => say('Copy failed'),
  );
});
window.addEventListener('hashchange', route);
route();
