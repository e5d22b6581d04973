/**
 * Draws a laid-out state machine (graph.ts) as SVG, coloured by what happened to each state, the way the
 * Step Functions console's graph view does. Layout is dagre's (in graph.ts); this file only paints it.
 */
import {
  drawingSize,
  GRAPH_METRICS,
  type GraphEdge,
  type GraphNode,
  type LaidOutGraph,
  DRAWING_MARGIN as MARGIN,
} from '../graph';

// The page's zoom and pane sizes live in graph.ts, beside the layout made to fit them (and out of the DOM's reach).
export { drawingSize, graphPaneWidth, MIN_LABEL_PX, READABLE_ZOOM, SCROLL_BAR_PX } from '../graph';

import type { StateRun, StateStatus } from '../state-runs';
import type { WaitingTask } from '../waiting-tasks';
import { type Html, html } from './html';

export const STATUS_LABELS: Readonly<Record<StateStatus, string>> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  caught: 'Caught error',
  'in-progress': 'In progress',
  'not-reached': 'Not reached',
};

/** How big the graph is drawn: scaled down to fit its pane's width, or a zoom factor (1 = 100%). */
export type Zoom = 'fit' | number;

/** How a state waiting for a callback is described where it is drawn (its box's tooltip). */
export const WAITING_LABEL =
  'Waiting for a callback (SendTaskSuccess or SendTaskFailure with its task token)';

/**
 * The deadline a waiting task's box counts down to: its TimeoutSeconds, or else its HeartbeatSeconds,
 * whichever comes first.
 */
export function nearestDeadline(task: WaitingTask): Date | undefined {
  const deadlines = [task.deadline, task.heartbeatDeadline].filter((d): d is Date => d !== undefined);
  return deadlines.sort((a, b) => a.getTime() - b.getTime())[0];
}

/**
 * The graph as an `<svg>`. Every state (a box, or a cluster for a Parallel or Map) carries
 * `data-state="<name>"` and `data-status="<status>"`, which the page's click handler and the browser
 * test read. The selected state is marked by the page (a class), so selecting one does not redraw this.
 *
 * A Task waiting for its token (`waiting`, by state name) is drawn in progress with a dashed border,
 * `data-waiting`, and a line under its box that the page fills with the time left (`data-deadline`, epoch
 * ms: the markup stays the same from second to second, so the live re-render does not redraw the graph).
 */
export function graphSvg(
  graph: LaidOutGraph,
  runs: ReadonlyMap<string, StateRun>,
  zoom: Zoom,
  waiting: ReadonlyMap<string, WaitingTask> = new Map(),
): Html {
  const parents = new Set(graph.nodes.flatMap((n) => (n.parent ? [n.parent] : [])));
  const depth = (node: GraphNode): number => {
    let d = 0;
    for (let p = node.parent; p; p = graph.nodes.find((n) => n.id === p)?.parent) d++;
    return d;
  };
  // Clusters (nodes something is drawn inside) go first, outermost first, so their contents paint over them.
  const clusters = graph.nodes.filter((n) => parents.has(n.id)).sort((a, b) => depth(a) - depth(b));
  const boxes = graph.nodes.filter((n) => !parents.has(n.id));
  const status = (node: GraphNode): StateStatus => runs.get(node.id)?.status ?? 'not-reached';
  const { width, height } = drawingSize(graph);
  // Fit: as wide as the pane but never wider than 100%; the height follows from the viewBox.
  const size =
    zoom === 'fit'
      ? `width: 100%; max-width: ${width}px; height: auto;`
      : `width: ${Math.round(width * zoom)}px; height: ${Math.round(height * zoom)}px;`;
  // Text at the sizes the layout reserved room for (GRAPH_METRICS), so names fit their boxes.
  return html`
    <svg class="graph" xmlns="http://www.w3.org/2000/svg" viewBox="${-MARGIN} ${-MARGIN} ${width} ${height}"
         role="img" aria-label="State machine graph"
         style="${size} --node-font: ${GRAPH_METRICS.nodeFontSize}px; --edge-font: ${GRAPH_METRICS.edgeFontSize}px">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8"
                orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker>
        <marker id="arrow-catch" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8"
                orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead catch"/></marker>
      </defs>
      ${clusters.map((n) => cluster(n, status(n)))}
      ${graph.edges.map(edge)}
      ${boxes.map((n) => box(n, status(n), waiting.get(n.id)))}
    </svg>`;
}

/** Start and End markers are not states: they have no status and cannot be selected. */
const isMarker = (node: GraphNode) => node.type === 'Start' || node.type === 'End';

function box(node: GraphNode, status: StateStatus, waiting: WaitingTask | undefined): Html {
  const left = node.x - node.width / 2;
  const top = node.y - node.height / 2;
  if (isMarker(node))
    return html`
      <g class="marker" data-marker="${node.type}">
        <rect x="${left}" y="${top}" width="${node.width}" height="${node.height}" rx="${node.height / 2}"/>
        <text x="${node.x}" y="${node.y}">${node.label}</text>
      </g>`;
  const deadline = waiting && nearestDeadline(waiting);
  return html`
    <g class="state status-${status}${waiting ? ' waiting' : ''}" data-state="${node.id}"
       data-status="${status}" data-type="${node.type}" ${waiting && 'data-waiting'} tabindex="0">
      <title>${node.label} (${node.type}): ${STATUS_LABELS[status]}${waiting && `. ${WAITING_LABEL}`}</title>
      <rect x="${left}" y="${top}" width="${node.width}" height="${node.height}" rx="6"/>
      ${label(node)}
      ${
        waiting &&
        html`<text class="waiting-label" x="${node.x}" y="${top + node.height + 9}"
                   ${deadline && html`data-deadline="${deadline.getTime()}" data-deadline-kind="short"`}
              >waiting for a callback</text>`
      }
    </g>`;
}

/** A state's name in the lines the layout sized its box for, centred in the box. */
function label(node: GraphNode): Html {
  const first = node.y - ((node.lines.length - 1) * GRAPH_METRICS.nodeLineHeight) / 2;
  return html`<text x="${node.x}" y="${node.y}">${node.lines.map(
    (line, i) => html`<tspan x="${node.x}" y="${first + i * GRAPH_METRICS.nodeLineHeight}">${line}</tspan>`,
  )}</text>`;
}

/**
 * A Parallel or Map state drawn around its branches, or one branch of it. The state itself is selectable
 * and coloured like any state; a branch is a plain dashed frame.
 */
function cluster(node: GraphNode, status: StateStatus): Html {
  const left = node.x - node.width / 2;
  const top = node.y - node.height / 2;
  if (node.type === 'Branch')
    return html`
      <g class="branch">
        <rect x="${left}" y="${top}" width="${node.width}" height="${node.height}" rx="6"/>
      </g>`;
  return html`
    <g class="state cluster status-${status}" data-state="${node.id}"
       data-status="${status}" data-type="${node.type}" tabindex="0">
      <title>${node.label} (${node.type}): ${STATUS_LABELS[status]}</title>
      <rect x="${left}" y="${top}" width="${node.width}" height="${node.height}" rx="8"/>
      <text class="cluster-label" x="${left + 10}" y="${top + 14}">${node.label}</text>
    </g>`;
}

function edge(e: GraphEdge): Html {
  const label = e.label ?? (e.kind === 'default' ? 'Default' : undefined);
  // Where the layout reserved room for the label; else (a Default edge has none) the middle of the edge.
  const middle = halfway(e.points);
  const at = e.labelX !== undefined && e.labelY !== undefined ? { x: e.labelX, y: e.labelY } : middle;
  const catchEdge = e.kind === 'catch';
  const end = e.points.at(-1);
  const marker = e.stub ? '' : `url(#${catchEdge ? 'arrow-catch' : 'arrow'})`;
  return html`
    <g class="edge edge-${e.kind}${e.stub ? ' edge-stub' : ''}" data-from="${e.from}" data-to="${e.to}">
      ${e.title && html`<title>${e.title}</title>`}
      <path d="${roundedPath(e.points)}" ${marker && html`marker-end="${marker}"`}/>
      ${e.stub && end && html`<circle class="end-dot" cx="${end.x}" cy="${end.y}" r="${GRAPH_METRICS.endStubDot}"/>`}
      ${e.link && linkChip(e)}
      ${label && at && html`<text class="edge-label" x="${at.x}" y="${at.y}">${label}</text>`}
    </g>`;
}

/** The point half way along a route. */
function halfway(points: GraphEdge['points']): { x: number; y: number } | undefined {
  const lengths = points
    .slice(1)
    .map((p, i) => Math.hypot(p.x - (points[i]?.x ?? 0), p.y - (points[i]?.y ?? 0)));
  let left = lengths.reduce((a, b) => a + b, 0) / 2;
  for (const [i, length] of lengths.entries()) {
    const a = points[i] as { x: number; y: number };
    const b = points[i + 1] as { x: number; y: number };
    if (left <= length && length > 0)
      return { x: a.x + ((b.x - a.x) * left) / length, y: a.y + ((b.y - a.y) * left) / length };
    left -= length;
  }
  return points[0];
}

/** The chip a link ends in: the handler's name; selecting it shows the handler. */
function linkChip(e: GraphEdge): Html {
  const chip = e.link;
  if (!chip) return html``;
  return html`
    <g class="link" data-goto="${e.to}" tabindex="0">
      <rect x="${chip.x - chip.width / 2}" y="${chip.y - chip.height / 2}" width="${chip.width}"
            height="${chip.height}" rx="${chip.height / 2}"/>
      <text x="${chip.x}" y="${chip.y}">${e.to}</text>
    </g>`;
}

/**
 * A path along the layout's points, which turn at right angles (see graph.ts): straight runs with each
 * corner rounded, as far as the shorter of its two runs allows.
 */
export function roundedPath(points: GraphEdge['points']): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M${first.x},${first.y}`;
  for (let i = 0; i < rest.length; i++) {
    const corner = rest[i] as { x: number; y: number };
    const before = (i === 0 ? first : rest[i - 1]) as { x: number; y: number };
    const after = rest[i + 1];
    if (!after) {
      d += ` L${corner.x},${corner.y}`;
      break;
    }
    const r = Math.min(
      CORNER_RADIUS,
      Math.hypot(corner.x - before.x, corner.y - before.y) / 2,
      Math.hypot(after.x - corner.x, after.y - corner.y) / 2,
    );
    const towards = (from: { x: number; y: number }, length: number) => {
      const dist = Math.hypot(from.x - corner.x, from.y - corner.y) || 1;
      return {
        x: corner.x + ((from.x - corner.x) * length) / dist,
        y: corner.y + ((from.y - corner.y) * length) / dist,
      };
    };
    const a = towards(before, r);
    const b = towards(after, r);
    d += ` L${a.x},${a.y} Q${corner.x},${corner.y} ${b.x},${b.y}`;
  }
  return d;
}
const CORNER_RADIUS = 8;

/** The colour key under the graph. */
export function legend(): Html {
  return html`
    <ul class="legend">
      ${(Object.keys(STATUS_LABELS) as StateStatus[]).map(
        (s) => html`<li><span class="swatch status-${s}"></span>${STATUS_LABELS[s]}</li>`,
      )}
      <li><span class="swatch status-in-progress waiting"></span>Waiting for a callback</li>
      <li><svg width="28" height="10"><line x1="0" y1="5" x2="28" y2="5" class="legend-catch"/></svg>Catch</li>
    </ul>`;
}
