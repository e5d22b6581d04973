import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';

/** Why a request is refused before it is read: its HTTP status and an AWS-style error. */
export interface Refusal {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

/** The content types AWS's JSON protocols send (x-amz-json-1.0 and 1.1), and plain JSON. */
const JSON_TYPES = new Set(['application/x-amz-json-1.0', 'application/x-amz-json-1.1', 'application/json']);

/** SQS's query protocol, which older AWS CLIs speak: an HTML form's own type. */
export const FORM_TYPE = 'application/x-www-form-urlencoded';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const LOOPBACK_BINDS = new Set(['localhost', '127.0.0.1', '::1']);
const WILDCARD_BINDS = new Set(['0.0.0.0', '::']);

/**
 * Decides, from its headers alone, whether the runtime answers a request at all. It has no authentication, so
 * it must keep web pages out: a page cannot read its answers (no CORS headers), but it can still send
 * requests that change state, either straight from the page or through DNS rebinding.
 *
 * - The Host header must name the runtime: the address it is bound to (for a loopback address, `localhost`,
 *   `127.0.0.1` and `[::1]`), with its port, or one of `extraHosts`. A page whose own name was rebound to
 *   127.0.0.1 sends its own name.
 * - A request from a page (it carries Origin; browsers send it with every POST) must come from the runtime's
 *   own page: the origin of the Host it was sent to. `Sec-Fetch-Site`, where the browser sends it, must say
 *   the same (`same-origin`), or that no page asked (`none`: an address typed or bookmarked). `same-site` is
 *   refused too: a page on another port of localhost is "same-site". A top-level navigation (a link followed
 *   to the viewer) is let through: it changes nothing and the page it opens is the runtime's own.
 * - A state-changing request from a page must have a content type no HTML form can send, so that it needs
 *   the CORS preflight the runtime never grants: the AWS JSON protocols' types for the AWS APIs, application/json
 *   for `/_local/*`. Clients other than browsers send no Origin: the AWS CLI and SDKs send their protocol's type
 *   anyway (checked below for the JSON protocols), and `curl -d` or a script's `fetch` may post the runtime's
 *   own endpoints with theirs (form or text/plain), as the README's fault-injection examples do.
 */
export function requestGuard(
  bindHost: string,
  port: number,
  extraHosts: readonly string[],
): (request: IncomingMessage) => Refusal | undefined {
  const authorities = allowedAuthorities(bindHost, port, extraHosts);
  return (request) => {
    const host = request.headers.host?.toLowerCase();
    if (host === undefined || !authorities.has(host))
      return forbidden(
        `Host '${request.headers.host ?? ''}' is not an address of the local runtime, which answers ${[...authorities].join(', ')}. ` +
          'A web page that rebinds its own DNS name to this address sends its own name; add a name the runtime should answer to allowedHosts.',
      );
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none' && !isNavigation(request))
      return forbidden(
        `A ${site} request from a web page is refused: only the runtime's own page (http://${host}) may call it from a browser.`,
      );
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`)
      return forbidden(
        `A request from the web page at ${origin} is refused: only the runtime's own page (http://${host}) may call it from a browser.`,
      );
    if (request.method !== 'POST') return undefined;
    const type = mediaType(request.headers['content-type']);
    if (request.headers['x-amz-target'] !== undefined && !JSON_TYPES.has(type))
      return unsupported(
        `Content-Type '${type}' is not one of the AWS JSON protocols': send ${[...JSON_TYPES].join(', ')}.`,
      );
    const path = new URL(request.url ?? '/', 'http://runtime').pathname;
    if (origin !== undefined && path.startsWith('/_local/') && type !== 'application/json')
      return unsupported(`Content-Type '${type}' is refused from a web page: send application/json.`);
    return undefined;
  };
}

/** The lower-cased media type of a Content-Type header, without its parameters (`; charset=...`). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * Every Host header value the runtime answers: each of its names with the port, and bare when the port is
 * HTTP's default, as clients then send it. An extra host given with a port (a Docker port mapping, a proxy)
 * is taken as it is.
 */
function allowedAuthorities(bindHost: string, port: number, extraHosts: readonly string[]): Set<string> {
  const bound = bindHost.toLowerCase();
  // The address itself always: the runtime's own URL names it, and its Lambda functions call that URL.
  const names = new Set([bracketed(bound)]);
  if (LOOPBACK_BINDS.has(bound) || WILDCARD_BINDS.has(bound))
    for (const name of LOOPBACK_NAMES) names.add(name);
  if (WILDCARD_BINDS.has(bound)) {
    // Bound to every interface: it is reached by any of their addresses.
    for (const address of Object.values(networkInterfaces()).flat())
      if (address) names.add(bracketed(address.address));
  }
  const authorities = new Set<string>();
  const allow = (name: string) => {
    authorities.add(`${name}:${port}`);
    if (port === 80) authorities.add(name);
  };
  for (const name of names) allow(name);
  for (const extra of extraHosts) {
    const host = extra.trim().toLowerCase();
    if (/^(\[[^\]]*\]|[^:]+):\d+$/.test(host)) authorities.add(host);
    else allow(bracketed(host));
  }
  return authorities;
}

/** An IPv6 address as a Host header carries it, in brackets; any other name as it is. */
function bracketed(name: string): string {
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

/** A link followed, or an address typed, to open a page of the runtime: never framed, never a script's. */
function isNavigation(request: IncomingMessage): boolean {
  return (
    request.method === 'GET' &&
    request.headers['sec-fetch-mode'] === 'navigate' &&
    request.headers['sec-fetch-dest'] === 'document'
  );
}

function forbidden(message: string): Refusal {
  return { status: 403, type: 'AccessDeniedException', message };
}

function unsupported(message: string): Refusal {
  return { status: 415, type: 'UnsupportedMediaTypeException', message };
}
