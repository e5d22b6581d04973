/**
 * Rendering helpers for the viewer's pages: a tagged template that escapes every interpolated value, so
 * event data (user input) can never become markup, and a few formatters shared by the pages.
 */

/** Markup that is safe to insert as is: built by `html`, or trusted text wrapped with `raw`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Markup the caller vouches for (constant strings, or markup built from escaped parts). */
export const raw = (text: string): Html => new Html(text);

/**
 * `html\`<td>${value}</td>\``: strings and numbers are escaped, `Html` is inserted as is, arrays are
 * joined, and `undefined`, `null` and `false` render nothing (so `${cond && html\`...\`}` works).
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += fragment(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function fragment(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(fragment).join('');
  return escapeHtml(value);
}

/** The markup each element was last given by `setHtml`. */
const rendered = new WeakMap<Element, string>();

/**
 * Replaces an element's content only when the markup changed, so the live re-render every second leaves
 * unchanged parts alone: their scroll positions, focus and text selection survive.
 */
export function setHtml(element: Element, markup: Html): void {
  if (rendered.get(element) === markup.text) return;
  element.innerHTML = markup.text;
  rendered.set(element, markup.text);
}

/** A JSON string pretty-printed (or the text itself when it is not JSON), for a `<pre>`. */
export function prettyJson(text: string | undefined): string {
  if (text === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A JSON string parsed, or undefined when it is absent or not JSON. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The viewer's time zone at `date` as an offset from UTC (UTC+01:00, UTC-07:00; plain UTC when there is
 * none), as the console labels its times: an offset, unlike an abbreviation, means the same everywhere.
 */
function zone(date: Date): string {
  const offset = -date.getTimezoneOffset();
  if (offset === 0) return 'UTC';
  const minutes = Math.abs(offset);
  return `UTC${offset > 0 ? '+' : '-'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** Local time to the millisecond with its zone, as the console shows it: 2026-11-21 05:13:16.614 UTC+01:00. */
export function formatTime(date: Date | undefined): string {
  if (!date) return '';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    ` ${zone(date)}`
  );
}

/** Local time of day with its zone (05:13:16.614 UTC+01:00), where the date would only repeat itself. */
export function formatClock(date: Date): string {
  return formatTime(date).slice(11);
}

/**
 * A time as a `<time>` element: formatTime (or formatClock, with the full time as its title), and the
 * instant itself in `datetime`, so what is shown can be checked against what the API said.
 */
export function timeElement(date: Date | undefined, clock = false): Html {
  if (!date) return html``;
  return clock
    ? html`<time datetime="${date.toISOString()}" title="${formatTime(date)}">${formatClock(date)}</time>`
    : html`<time datetime="${date.toISOString()}">${formatTime(date)}</time>`;
}

/** A duration for people: 85 ms, 1.234 s, 2 min 5 s, 1 h 3 min. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(3)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The last segment of an ARN (a state machine, queue or execution name) for compact display. */
export function arnName(arn: string): string {
  const trimmed = arn.replace(/:\*$/, ''); // a log group ARN ends in ':*'
  return trimmed.slice(trimmed.lastIndexOf(':') + 1);
}
