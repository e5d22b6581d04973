/**
 * The state machine graph of the execution viewer, built from the ASL and laid out with dagre (what each
 * state did is in state-runs.ts). Runs in the browser (bundled by esbuild) and in Jest; no DOM access
 * here, and no Node APIs.
 */
// Named imports: they resolve the same from dagre's CommonJS build (Jest) and its ESM build (esbuild).
import {
  type EdgeLabel,
  Graph,
  type GraphLabel,
  type LayoutOptions,
  layout,
  type NodeLabel,
  type OrderConstraint,
} from '@dagrejs/dagre';

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

export interface GraphNode {
  /** The state name (unique across the whole state machine), or a synthetic id for start/end markers and branch clusters. */
  readonly id: string;
  readonly label: string;
  /**
   * The ASL state type, or 'Start' / 'End' for the markers, or 'Branch' for a cluster: a Parallel
   * state's branch or a Map state's item processor.
   */
  readonly type: string;
  /** The cluster (a Parallel state's branch, or a Map's item processor) this node is drawn inside. */
  readonly parent?: string;
  /** On a 'Branch' cluster: the Parallel or Map state it belongs to. */
  readonly owner?: string;
  /**
   * The label as the lines its box was sized for: a long state name wraps at `nodeMaxLineChars`, as
   * the console wraps it, so a box is never wider than a short sentence.
   */
  readonly lines: readonly string[];
  /** Laid-out centre and size, in SVG user units. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** A Choice rule's summary or a Catch's error names, shortened to fit (see `title`). */
  readonly label?: string;
  /**
   * The label in full, for a tooltip: set whenever the edge has rules or catchers to name, also when it
   * has no `label` (a Catch into a shared handler whose label another edge already shows).
   */
  readonly title?: string;
  /**
   * Where the label goes (its centre), in a rank clear of the states; set whenever `label` is. Where
   * dagre placed it, on the edge; or, for a Catch into a handler shared with other states (for which
   * the layout made no room), beside the edge, clear of the other labels.
   */
  readonly labelX?: number;
  readonly labelY?: number;
  readonly points: readonly { x: number; y: number }[];
  /**
   * An edge into the End marker drawn as a stub: a short line down out of its state, ending in a dot
   * (`points` are the stub's). Only the main path's end is drawn all the way to the End marker: the
   * others would each run down beside the whole graph to it.
   */
  readonly stub?: true;
  /**
   * A Catch into a handler that another edge already reaches (Superseded, say), drawn as a short arrow
   * to a chip that names the handler, beside the state it catches for (`points` end at the chip): one
   * edge into the handler is drawn all the way, the others would each cross much of the graph. The chip's
   * centre and size.
   */
  readonly link?: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

export interface LaidOutGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly width: number;
  readonly height: number;
}

/**
 * The fixed font metrics the node and label sizes assume: the page should draw state names at
 * `nodeFontSize` and edge labels at `edgeFontSize` (a monospace-ish average width per character), so
 * the text fits the boxes the layout reserved.
 */
export const GRAPH_METRICS = {
  nodeFontSize: 13,
  nodeCharWidth: 7.5,
  nodePaddingX: 10,
  nodeMinWidth: 100,
  /** A one-line box; each further line of a wrapped name adds `nodeLineHeight`. */
  nodeHeight: 40,
  nodeLineHeight: 16,
  nodeMaxLineChars: 16,
  markerWidth: 64,
  markerHeight: 28,
  edgeFontSize: 11,
  edgeCharWidth: 6.5,
  edgeLabelPaddingX: 6,
  edgeLabelHeight: 16,
  /**
   * Longer edge labels are shortened (see `shorten`): error names lose their service's prefix, paths keep
   * their last field, and what is still too long is cut with an ellipsis; `title` keeps the whole text.
   */
  edgeLabelMaxChars: 36,
  /**
   * A Choice rule's label is shorter still: it sits across the rule's edge, between the columns of the
   * states the Choice leads to, and `…decision == "approved"` says which edge it is.
   */
  ruleLabelMaxChars: 24,
  /** A stub into the End marker (see `GraphEdge.stub`): this long, ending in a dot this wide. */
  endStubLength: 12,
  endStubDot: 4,
  /** A link's chip (see `GraphEdge.link`): its height; its width fits the handler's name at `edgeFontSize`. */
  linkHeight: 22,
} as const;

// ---------------------------------------------------------------------------------------------------
// The pane the page draws the graph in (graph-view.ts), which the layout is made to fit
// ---------------------------------------------------------------------------------------------------

/** Space around the drawing, so strokes and labels at the edge are not clipped. */
export const DRAWING_MARGIN = 16;

/** The drawing's size at 100%, in CSS pixels: the layout and the margin around it. */
export function drawingSize(graph: LaidOutGraph): { width: number; height: number } {
  return {
    width: Math.ceil(graph.width + 2 * DRAWING_MARGIN),
    height: Math.ceil(graph.height + 2 * DRAWING_MARGIN),
  };
}

/** The least size, in CSS pixels on screen, a state's name is drawn at when the page chooses the zoom. */
export const MIN_LABEL_PX = 11;

/**
 * The least zoom the page chooses (opening the graph, or Fit): state names at MIN_LABEL_PX. A graph
 * that would have to shrink further to fit its pane's width is drawn at this zoom instead, and its pane
 * scrolls; the user can still zoom out further with the wheel or the minus button.
 */
export const READABLE_ZOOM = MIN_LABEL_PX / GRAPH_METRICS.nodeFontSize;

/** The width of a classic scroll bar (Chromium's and Firefox's on Linux and Windows), in CSS pixels. */
export const SCROLL_BAR_PX = 15;

/**
 * The width of the graph's pane (inside its border and its scroll bar's gutter) on a page `pageWidth` CSS
 * pixels wide (the window less the page's own scroll bar, if it has one), as page/style.css lays the execution
 * page out: `main` at most 1400 wide inside its padding, the panel's border and padding, and beside the
 * pane the state details (380 wide, 20 apart) while the window is wider than 1000. The layout is made to
 * fit this at READABLE_ZOOM (test/local/viewer/graph.test.ts); the browser test checks that the page
 * gives the pane this width.
 */
export function graphPaneWidth(pageWidth: number, windowWidth = pageWidth): number {
  const main = Math.min(1400, pageWidth - 2 * 24);
  const panel = main - 2 * 1 - 2 * 20;
  const column = windowWidth > 1000 ? panel - 20 - 380 : panel;
  return column - 2 * 1 - SCROLL_BAR_PX;
}

// ---------------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------------

/** The ASL fields the graph reads (JSONPath ASL; a JSONata `Condition` is shown as written). */
interface AslMachine {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}
interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: readonly ChoiceRule[];
  readonly Catch?: readonly { readonly ErrorEquals?: readonly string[]; readonly Next: string }[];
  readonly Branches?: readonly AslMachine[];
  readonly ItemProcessor?: AslMachine;
  /** The pre-2022 name of ItemProcessor. */
  readonly Iterator?: AslMachine;
}
type ChoiceRule = Readonly<Record<string, unknown>>;

/** A node before layout. */
interface NodeSpec {
  readonly id: string;
  readonly label: string;
  readonly type: string;
  readonly parent?: string;
  readonly owner?: string;
  /** Clusters get their size from dagre (it wraps their children). */
  readonly cluster: boolean;
  readonly lines: readonly string[];
  readonly width: number;
  readonly height: number;
}
/** An edge before layout; `labels` collects the rules or catchers merged into it. */
interface EdgeSpec {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly labels: string[];
}

/**
 * Lays out the definition's states (with Parallel branches and Map processors as clusters) with dagre,
 * top to bottom like the console.
 *
 * Accepts the definition as an object or as the JSON string DescribeStateMachine returns. Same input,
 * same output: nodes and edges are added to dagre in definition order, and dagre is deterministic.
 *
 * The graph:
 * - A 'Start' marker points at StartAt; an 'End' marker follows every top-level state that ends the
 *   execution (End: true, Succeed, Fail).
 * - Next is a 'next' edge; each Choice rule a 'choice' edge labelled with a summary of the rule
 *   (`$.decision == "approved"`); Default a 'default' edge; each Catch a 'catch' edge labelled with its
 *   ErrorEquals. Rules or catchers that lead to the same state become one edge with their labels joined
 *   (an emit state's FailedEntry and States.ALL catchers both park the entry): two edges between the
 *   same pair of boxes would only draw on top of each other.
 * - Parallel and Map, as the console reads: the state is a box of its own (it has a status and its Catch
 *   edges start there); below it each branch (or the item processor) is a 'Branch' cluster. The state
 *   fans out to each branch's StartAt, and each branch's own ends (End: true, Succeed) fan back in to
 *   the Parallel's Next, or to whatever its End leads to. The Parallel's own Next is drawn only if no
 *   branch can end normally (every branch ends in Fail), so the flow still reaches it. A Fail inside a
 *   branch has no outgoing edge: it fails the branch, and the Parallel's Catch edges show where that goes.
 *
 * The drawing reads like the console's: the main path (see `mainPath`) runs straight down the left, and
 * Choice paths, Catch handlers and the states they lead to hang beside it on the right. What it takes:
 * - Ranks (network simplex) keep a Catch edge short (`EDGE_WEIGHT`), so a handler sits next to the state
 *   it catches for rather than in one wide row at the bottom; the edges into the End marker weigh
 *   (almost) nothing, so no state is pulled down to it.
 * - The main path comes first in every rank (`orderBesideMainPath`), and dagre's Brandes-Köpf
 *   positioning aligned upper-left (`align: 'UL'`) then puts it in one column. `corePath` tells dagre
 *   to align the End marker under it too. One more top-down sweep then keeps each state under the
 *   state it follows, the states that end a rank lower next to it, and edges passing on down right of
 *   both.
 * - Edges that pass many ranks (a Catch to a handler shared by several states) are kept to the right of
 *   the states they pass, so they run down the right-hand side instead of pushing every column after
 *   them further right.
 * - An emit's failure handling (Catch -> park -> second put -> back to where the emit leads) is a ladder
 *   beside the emit (`Ladder`), not a detour two ranks down: the park level with the emit, the second
 *   put level with the next state, both rungs straight across. A handler nobody else reaches (Read
 *   stored version) is a side (`findSides`): level with its state, the Catch straight across.
 * - Of the Catches into a handler several reach (Superseded, Reject invalid trigger) one is drawn all the
 *   way, from a state with no room for a chip beside it if there is one (else the first), so that the
 *   handler is ranked just below it; the others are links (`GraphEdge.link`): a short arrow to a chip
 *   naming the handler, beside their state, or straight across to the handler itself when it stands
 *   beside a second put. Only the main path runs on to the End marker; the other ends are stubs
 *   (`GraphEdge.stub`), and the End marker is below everything.
 * - The graph is kept narrow enough to fit the execution page's pane with names readable
 *   (graph-view.ts's READABLE_ZOOM): labels are shortened (`shorten`), and a Choice rule's label takes
 *   no width of its own but is put beside its edge's route where it is clear of boxes, labels and the
 *   other edges (`placeThinLabels`).
 * - dagre's positions are then packed to the left (`compact`), and every edge is routed in straight
 *   runs through the lanes dagre kept free in each rank and across only in the gaps between ranks
 *   (`routeEdges`), so no edge passes behind a box.
 * - Long state names wrap (`GraphNode.lines`). A Catch edge's label gets room only when the edge leads
 *   to a handler of its own: the edges into a shared handler (Superseded, say) say the same thing, so
 *   the one drawn all the way shows the label, over the handler or beside the edge, and the others keep
 *   it as their title.
 */
export function layoutStateMachine(definition: unknown): LaidOutGraph {
  const machine = asMachine(typeof definition === 'string' ? JSON.parse(definition) : definition);
  const { nodes, edges } = buildGraph(machine);
  const texts = edges.map((edge) => edge.labels.join(edge.kind === 'choice' ? ' or ' : ', '));
  const foundLadders = findLadders(nodes, edges);
  foundLadders.push(...findSides(nodes, edges, foundLadders));
  // The states a ladder's park or a link's chip is ranked beside lead into its emit (its catching
  // state) by edges dagre lays out.
  const found = findLinks(nodes, edges, foundLadders);
  // A Catch into a handler several edges lead to: the first drawn all the way to name its errors gets a
  // rank's height for its label and no width (placeThinLabels puts it beside the edge); the others name
  // the same, and keep it as their title.
  const incoming = new Map<string, number>();
  for (const edge of edges) incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
  const thin = new Set<number>();
  const unlabelled = new Set<number>();
  const said = new Set<string>();
  const chipped = new Set(found.map((l) => l.edge));
  const byDrawing = edges
    .map((_, i) => i)
    .sort((a, b) => Number(chipped.has(a)) - Number(chipped.has(b)) || a - b);
  for (const i of byDrawing) {
    const edge = edges[i] as EdgeSpec;
    if (edge.kind !== 'catch' || (incoming.get(edge.to) ?? 0) < 2) continue;
    const saying = JSON.stringify([edge.to, texts[i]]);
    // A rung has no room for a label of its own: its title names the errors.
    (said.has(saying) || found.some((l) => l.rung && l.edge === i) ? unlabelled : thin).add(i);
    said.add(saying);
  }
  // A Choice rule's label gets no width either: dagre would keep a column free for it between the
  // columns of the states the Choice leads to, and the graph would be wider by as much.
  edges.forEach((edge, i) => {
    if (edge.kind === 'choice') thin.add(i);
  });
  // The edges into the End marker but the main path's are stubs: a short line out of the bottom of the
  // state that ends the run. Laid out, each would run down beside the whole graph to the one End marker.
  const path = mainPath({ nodes, edges });
  const endId = nodes.find((n) => n.type === 'End')?.id;
  const lastMain = path.at(-1) === endId ? path.at(-2) : undefined;
  const stubs = new Set(
    edges.flatMap((e, i) => (e.to === endId && e.from !== lastMain && e.kind === 'next' ? [i] : [])),
  );
  const laidOut = (j: number) =>
    !foundLadders.some((l) => l.catchEdge === j || l.rejoinEdge === j) && !found.some((l) => l.edge === j);
  const predsOf = (id: string) => [
    ...new Set(edges.flatMap((e, j) => (e.to === id && laidOut(j) ? [e.from] : []))),
  ];
  const ladders = foundLadders
    .map((l) => ({ ...l, preds: predsOf(l.emit) }))
    .filter((l) => l.preds.length > 0);
  const links = found
    .map((l) => (l.rung ? l : { ...l, preds: predsOf(l.from) }))
    .filter((l) => l.rung || l.preds.length > 0);
  const linkOf = new Map(links.map((l) => [l.edge, l]));
  const g = runDagre(nodes, edges, texts, { thin, unlabelled, ladders, stubs, links });
  compact(g, [...nodes, ...links.filter((l) => !l.rung).map(linkSpec)], ladders);
  // The End marker below everything: a stub-ended state may be lower than the main path's end.
  if (endId !== undefined) {
    const endNode = g.node(endId);
    const lowest = Math.max(
      ...nodes.filter((n) => n.id !== endId).map((n) => (g.node(n.id).y ?? 0) + g.node(n.id).height / 2),
    );
    const top = lowest + END_GAP;
    if ((endNode.y ?? 0) - endNode.height / 2 < top) {
      endNode.y = top + endNode.height / 2;
      g.graph().height = top + endNode.height + (g.graph().marginy ?? 0);
    }
  }

  const laidOutNodes = nodes.map((spec): GraphNode => {
    const n = g.node(spec.id);
    return {
      id: spec.id,
      label: spec.label,
      type: spec.type,
      ...(spec.parent !== undefined ? { parent: spec.parent } : {}),
      ...(spec.owner !== undefined ? { owner: spec.owner } : {}),
      lines: spec.lines,
      x: n.x ?? 0,
      y: n.y ?? 0,
      width: n.width ?? 0,
      height: n.height ?? 0,
    };
  });
  const markers = new Set(nodes.filter((n) => n.type === 'Start' || n.type === 'End').map((n) => n.id));
  const box = (id: string): Box => {
    const { x = 0, y = 0, width = 0, height = 0 } = g.node(id);
    return { x, y, width, height, round: markers.has(id) };
  };
  const ladderOf = new Map<number, { ladder: Ladder; part: 'catch' | 'rejoin' }>();
  for (const ladder of ladders) {
    ladderOf.set(ladder.catchEdge, { ladder, part: 'catch' });
    if (ladder.rejoinEdge !== undefined) ladderOf.set(ladder.rejoinEdge, { ladder, part: 'rejoin' });
  }
  const routes = routeEdges(
    g,
    edges.map((spec, i) =>
      ladderOf.has(i) || stubs.has(i) || linkOf.has(i)
        ? undefined
        : {
            ids: [spec.from, spec.to] as const,
            from: box(spec.from),
            to: box(spec.to),
            dagre: g.edge(spec.from, spec.to, edgeName(i)),
          },
    ),
    laidOutNodes.filter((n) => n.type !== 'Branch'),
  );
  const thinLabels = placeThinLabels(g, edges, texts, thin, routes);
  const laidOutEdges = edges.map((spec, i): GraphEdge => {
    const title = texts[i] ?? '';
    const onLadder = ladderOf.get(i);
    const link = linkOf.get(i);
    const chip = link && !link.rung && box(link.id);
    const e = onLadder
      ? onLadder.part === 'catch'
        ? g.edge(onLadder.ladder.preds[0] ?? '', onLadder.ladder.park, rankingName(onLadder.ladder, 0))
        : undefined
      : g.edge(spec.from, spec.to, edgeName(i));
    const thinLabel = thinLabels.get(i);
    const label =
      !title || unlabelled.has(i)
        ? {}
        : {
            label: shorten(title, spec.kind),
            labelX: thinLabel?.x ?? e?.x ?? 0,
            labelY: thinLabel?.y ?? e?.y ?? 0,
          };
    return {
      from: spec.from,
      to: spec.to,
      kind: spec.kind,
      ...(title ? { title } : {}),
      ...label,
      ...(stubs.has(i) ? { stub: true } : {}),
      ...(chip ? { link: { x: chip.x, y: chip.y, width: chip.width, height: chip.height } } : {}),
      points:
        onLadder || link?.rung
          ? sideBySide(box(spec.from), box(spec.to))
          : chip
            ? sideBySide(box(spec.from), chip)
            : stubs.has(i)
              ? endStub(box(spec.from))
              : (routes[i] ?? []),
    };
  });
  const { width = 0, height = 0 } = g.graph();
  return { nodes: laidOutNodes, edges: laidOutEdges, width, height };
}

const edgeName = (i: number) => `e${i}`;

const rankingName = (ladder: Ladder, k: number) => `rank ${k} ${ladder.park}`;

/** A laid-out box: its centre and size, and whether it is all corner (a Start or End marker). */
interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly round: boolean;
}
type Point = { x: number; y: number };

/** A stub into the End marker: a short line down out of the bottom of the state that ends the run. */
function endStub(from: Box): Point[] {
  const bottom = from.y + from.height / 2;
  return [
    { x: from.x, y: bottom },
    { x: from.x, y: bottom + GRAPH_METRICS.endStubLength },
  ];
}
/** Between the lowest state and the End marker. */
const END_GAP = 36;

/** A ladder's rung: straight across from the side of one box to the facing side of the other. */
function sideBySide(from: Box, to: Box): Point[] {
  const towards = Math.sign(to.x - from.x) || 1;
  return [
    { x: from.x + (towards * from.width) / 2, y: from.y },
    { x: to.x - (towards * to.width) / 2, y: to.y },
  ];
}

/**
 * Every edge's route, as the console draws them: out of the bottom of its state and into the top of the
 * next, straight down through the lanes dagre kept free of states in each rank it passes, and across
 * only in the gaps between ranks (where no state is), so no edge passes behind a box. Edges that cross
 * the same gap side by side get lanes of their own in it, unless they leave or reach the same state (then
 * they run together, as one fork or one merge). `routes[i]` undefined: the caller draws that edge.
 */
function routeEdges(
  g: Graph<GraphLabel, NodeLabel, EdgeLabel>,
  routes: readonly ({ ids: readonly [string, string]; from: Box; to: Box; dagre: EdgeLabel } | undefined)[],
  boxes: readonly GraphNode[],
): Point[][] {
  // Each rank's level (the y of its centre) and how far it reaches up and down: states and labels.
  const half = new Map<number, number>();
  const level = (y: number) => Math.round(y * 2) / 2;
  const reach = (y: number, h: number) => half.set(level(y), Math.max(half.get(level(y)) ?? 0, h / 2));
  for (const n of boxes) reach(n.y, n.height);
  for (const e of g.edges()) {
    const label = g.edge(e);
    if (label.width && label.height && label.y !== undefined) reach(label.y, label.height);
  }
  const halfAt = (y: number) => half.get(level(y)) ?? 0;
  /** The gap between two levels: between the bottom of the upper one and the top of the lower one. */
  const gap = (a: number, b: number) => {
    const [upper, lower] = a < b ? [a, b] : [b, a];
    return {
      key: `${level(upper)}/${level(lower)}`,
      top: upper + halfAt(upper),
      bottom: lower - halfAt(lower),
    };
  };

  /** Each route as x positions per level, with where it crosses each gap; the y of each crossing comes later. */
  interface Jog {
    readonly edge: number;
    readonly key: string;
    readonly x1: number;
    readonly x2: number;
    readonly top: number;
    readonly bottom: number;
    readonly from: string;
    readonly to: string;
    y?: number;
  }
  type Plan =
    | { readonly kind: 'self'; readonly points: readonly Point[] }
    | { readonly kind: 'route'; readonly start: Point; readonly end: Point; readonly jogs: readonly Jog[] };
  const plans = routes.map((route, edge): Plan | undefined => {
    if (!route) return undefined;
    const { from, to, dagre, ids } = route;
    const inner = (dagre.points ?? []).slice(1, -1);
    if (from === to || (inner.length > 0 && inner.every((p) => Math.abs(p.y - from.y) < 1)))
      return { kind: 'self', points: dagre.points ?? [] }; // a self loop: dagre's own drawing
    const down = to.y > from.y;
    const span = (b: Box) => {
      const inset = Math.min(b.width / 2, b.round ? b.height / 2 : PORT_INSET);
      return { left: b.x - b.width / 2 + inset, right: b.x + b.width / 2 - inset };
    };
    const clamp = (x: number, s: { left: number; right: number }) => Math.min(Math.max(x, s.left), s.right);
    const fromSpan = span(from);
    const toSpan = span(to);
    let fromX: number;
    let toX: number;
    const first = inner[0];
    const last = inner.at(-1);
    if (first && last) {
      fromX = clamp(first.x, fromSpan);
      toX = clamp(last.x, toSpan);
    } else {
      // Straight down where the two boxes overlap; else from the nearer corners.
      const left = Math.max(fromSpan.left, toSpan.left);
      const right = Math.min(fromSpan.right, toSpan.right);
      if (left <= right) fromX = toX = clamp(from.x, { left, right });
      else {
        fromX = clamp(to.x, fromSpan);
        toX = clamp(from.x, toSpan);
      }
    }
    const stops = [{ x: fromX, y: from.y }, ...inner, { x: toX, y: to.y }];
    const jogs: Jog[] = [];
    for (let i = 0; i + 1 < stops.length; i++) {
      const a = stops[i] as Point;
      const b = stops[i + 1] as Point;
      if (Math.abs(a.x - b.x) < 0.5) continue;
      const { key, top, bottom } = gap(a.y, b.y);
      jogs.push({ edge, key, x1: a.x, x2: b.x, top, bottom, from: ids[0], to: ids[1] });
    }
    return {
      kind: 'route',
      start: { x: fromX, y: down ? from.y + from.height / 2 : from.y - from.height / 2 },
      end: { x: toX, y: down ? to.y - to.height / 2 : to.y + to.height / 2 },
      jogs,
    };
  });

  // Lanes: the jogs across one gap whose spans overlap get different heights in it, evenly spread.
  const byGap = new Map<string, Jog[]>();
  for (const plan of plans)
    for (const jog of plan?.kind === 'route' ? plan.jogs : [])
      byGap.set(jog.key, [...(byGap.get(jog.key) ?? []), jog]);
  for (const jogs of byGap.values()) {
    const lanes: Jog[][] = [];
    const lo = (j: Jog) => Math.min(j.x1, j.x2);
    const hi = (j: Jog) => Math.max(j.x1, j.x2);
    for (const jog of [...jogs].sort((a, b) => lo(a) - lo(b) || a.edge - b.edge)) {
      const fits = (lane: Jog[]) =>
        lane.every(
          (other) =>
            other.from === jog.from ||
            other.to === jog.to ||
            hi(other) + LANE_GAP <= lo(jog) ||
            hi(jog) + LANE_GAP <= lo(other),
        );
      const lane = lanes.find(fits);
      if (lane) lane.push(jog);
      else lanes.push([jog]);
    }
    const top = Math.max(...jogs.map((j) => j.top));
    const bottom = Math.min(...jogs.map((j) => j.bottom));
    const step = Math.min(LANE_SPACING, (bottom - top) / (lanes.length + 1));
    lanes.forEach((lane, i) => {
      const y = (top + bottom) / 2 + (i - (lanes.length - 1) / 2) * step;
      for (const jog of lane) jog.y = y;
    });
  }

  return plans.map((plan) => {
    if (!plan) return [];
    if (plan.kind === 'self') return plan.points.map(({ x, y }) => ({ x, y }));
    const points: Point[] = [plan.start];
    for (const jog of plan.jogs) {
      const y = jog.y ?? (jog.top + jog.bottom) / 2;
      points.push({ x: jog.x1, y }, { x: jog.x2, y });
    }
    points.push(plan.end);
    return points.filter((p, i) => {
      const prev = points[i - 1];
      return !prev || Math.abs(prev.x - p.x) > 0.01 || Math.abs(prev.y - p.y) > 0.01;
    });
  });
}
const PORT_INSET = 10;
/** Between two edges side by side in one gap, and at most between lanes. */
const LANE_GAP = 6;
const LANE_SPACING = 6;

const labelWidth = (label: string) =>
  label.length * GRAPH_METRICS.edgeCharWidth + 2 * GRAPH_METRICS.edgeLabelPaddingX;
/**
 * Where the labels dagre made no room for go: beside their edge in the rank dagre kept free of states
 * for them, on its left or else its right, or else a line lower (still above the next row of states),
 * wherever they cover no other label. Returns each such label's centre, by edge index.
 */
function placeThinLabels(
  g: Graph<GraphLabel, NodeLabel, EdgeLabel>,
  edges: readonly EdgeSpec[],
  texts: readonly string[],
  thin: ReadonlySet<number>,
  routes: readonly (readonly Point[])[],
): Map<number, { x: number; y: number }> {
  const { width = 0 } = g.graph();
  const lineHeight = GRAPH_METRICS.edgeLabelHeight;
  const at = (i: number) => g.edge(edges[i]?.from ?? '', edges[i]?.to ?? '', edgeName(i));
  const placed: { x: number; y: number; half: number }[] = [];
  // The boxes (states, markers, link chips), which compaction may have brought next to a thin label's
  // edge: a label goes clear of them too.
  const boxes = g
    .nodes()
    .filter((v) => g.children(v).length === 0)
    .map((v) => {
      const { x = 0, y = 0, width = 0, height = 0 } = g.node(v);
      return { x, y, width, height };
    });
  // Every label dagre made room for (a ladder's too, on its ranking edge); a thin one's width is 1.
  for (const name of g.edges()) {
    const e = g.edge(name);
    if ((e.width ?? 0) > 1 && e.height) placed.push({ x: e.x ?? 0, y: e.y ?? 0, half: (e.width ?? 0) / 2 });
  }
  const centres = new Map<number, { x: number; y: number }>();
  for (const i of [...thin].sort((a, b) => a - b)) {
    const { x = 0, y = 0 } = at(i);
    const half = labelWidth(shorten(texts[i] ?? '', edges[i]?.kind ?? 'catch')) / 2;
    const within = (cx: number) => Math.min(Math.max(cx, half), Math.max(width - half, half));
    const left = within(x - THIN_LABEL_GAP - half);
    const right = within(x + THIN_LABEL_GAP + half);
    // A Catch's first over the handler it leads to, where every edge into it ends; a Choice rule's on its
    // edge where it leaves the Choice, as the edges fan out; else beside the edge.
    const target = g.node(edges[i]?.to ?? '');
    const over = (target.y ?? 0) - (target.height ?? 0) / 2 - lineHeight / 2 - 2;
    const overTarget =
      edges[i]?.kind === 'catch'
        ? [
            { x: within(target.x ?? 0), y: over },
            { x: within(target.x ?? 0), y: over - lineHeight },
          ]
        : alongRoute(routes[i] ?? [], half);
    const candidates = [
      ...overTarget.map((c) => ({ x: within(c.x), y: c.y })),
      { x: left, y },
      { x: right, y },
      { x: left, y: y + lineHeight },
      { x: right, y: y + lineHeight },
      { x: left, y: y - lineHeight },
      { x: right, y: y - lineHeight },
    ];
    // Clear of the other edges' runs too, so the label reads.
    const clearOfRuns = (c: Point) =>
      routes.every(
        (route, j) =>
          j === i ||
          route.slice(1).every((b, k) => {
            const a = route[k] as Point;
            return (
              Math.max(a.x, b.x) <= c.x - half ||
              Math.min(a.x, b.x) >= c.x + half ||
              Math.max(a.y, b.y) <= c.y - lineHeight / 2 ||
              Math.min(a.y, b.y) >= c.y + lineHeight / 2
            );
          }),
      );
    const free = (c: { x: number; y: number }) =>
      placed.every((p) => Math.abs(p.y - c.y) >= lineHeight || Math.abs(p.x - c.x) >= p.half + half) &&
      boxes.every(
        (b) =>
          Math.abs(b.y - c.y) * 2 >= b.height + lineHeight || Math.abs(b.x - c.x) * 2 >= b.width + 2 * half,
      );
    const centre = candidates.find((c) => free(c) && clearOfRuns(c)) ??
      candidates.find(free) ?? { x: left, y };
    placed.push({ ...centre, half });
    centres.set(i, centre);
  }
  return centres;
}
/** Between a label dagre made no room for and its edge. */
const THIN_LABEL_GAP = 4;

/**
 * Where a Choice rule's label may go along its route: beside the run down into the state it leads to,
 * just under the turn into it (right, then left), then beside the middle of each other run down.
 */
function alongRoute(route: readonly Point[], half: number): Point[] {
  const runs = route.slice(1).flatMap((b, k) => {
    const a = route[k] as Point;
    return Math.abs(a.x - b.x) < 0.5 && b.y - a.y >= GRAPH_METRICS.edgeLabelHeight ? [{ a, b }] : [];
  });
  const beside = (x: number, y: number) => [
    { x: x + THIN_LABEL_GAP + half, y },
    { x: x - THIN_LABEL_GAP - half, y },
  ];
  const last = runs.at(-1);
  return [
    ...(last ? beside(last.a.x, last.a.y + GRAPH_METRICS.edgeLabelHeight / 2 + 2) : []),
    ...runs.reverse().flatMap(({ a, b }) => beside(a.x, (a.y + b.y) / 2)),
  ];
}

/**
 * dagre's layout packed to the left: dagre keeps every vertical run it drew straight (an edge and the
 * states it joins, a column of the main path) in a block, and places the blocks to balance them, which
 * leaves room between them that nothing needs. Here each block (a column: things joined by straight
 * vertical runs, a Parallel's whole branch cluster with what is inside it) moves left, in dagre's order,
 * until it is as close to its left neighbour in each rank it spans as dagre's separations allow. The
 * order in each rank and every straight run stay as they were; the drawing only gets narrower. A ladder's
 * side hugs its emit this way too. The ranking edges of the ladders are left out (they are not drawn),
 * but for the one carrying the Catch's label.
 */
function compact(
  g: Graph<GraphLabel, NodeLabel, EdgeLabel>,
  nodes: readonly NodeSpec[],
  ladders: readonly Ladder[],
): void {
  const { nodesep = NODE_SEP, edgesep = EDGE_SEP, marginx = 0 } = g.graph();
  const level = (y: number) => Math.round(y * 2) / 2;
  interface Unit {
    readonly id: number;
    readonly y: number;
    /** For a cluster: the levels its frame spans. */
    readonly top: number;
    readonly bottom: number;
    x: number;
    readonly half: number;
    readonly node: boolean;
  }
  const units: Unit[] = [];
  const unit = (x: number, y: number, half: number, node: boolean, top = y, bottom = y) => {
    const u = { id: units.length, x, y: level(y), top: level(top), bottom: level(bottom), half, node };
    units.push(u);
    return u;
  };
  const parent: number[] = [];
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    parent[i] = r;
    return r;
  };
  const union = (a: number, b: number) => {
    parent[find(a)] = find(b);
  };

  // Top-level clusters are rigid: everything inside their frame moves with them.
  const clusterUnits = nodes
    .filter((n) => n.cluster && n.parent === undefined)
    .map((n) => {
      const { x = 0, y = 0, width, height } = g.node(n.id);
      return unit(x, y, width / 2, true, y - height / 2, y + height / 2);
    });
  const inside = (x: number, y: number) =>
    clusterUnits.find((c) => x >= c.x - c.half && x <= c.x + c.half && y >= c.top && y <= c.bottom);
  const nodeUnit = new Map<string, Unit>();
  for (const spec of nodes) {
    if (spec.cluster) continue;
    const { x = 0, y = 0, width } = g.node(spec.id);
    nodeUnit.set(spec.id, unit(x, y, width / 2, true));
  }
  const hidden = new Set(
    ladders.flatMap((l) =>
      l.preds.flatMap((pred, k) => (k === 0 ? [] : [`${pred}\u0000${rankingName(l, k)}`])),
    ),
  );
  const pointUnits = new Map<string, Unit[]>();
  const hiddenUnits = new Set<number>();
  for (const e of g.edges()) {
    const label = g.edge(e);
    const key = `${e.v}\u0000${e.name ?? ''}`;
    const ranking = (e.name ?? '').startsWith('rank ');
    if (hidden.has(key)) continue;
    const inner = (label.points ?? []).slice(1, -1);
    const chain: Unit[] = [];
    const list: Unit[] = [];
    for (const p of inner) {
      const isLabel = label.width && label.height && Math.abs(p.y - (label.y ?? Number.NaN)) < 0.5;
      if (ranking && !isLabel) {
        const u = unit(p.x, p.y, 0, false);
        hiddenUnits.add(u.id); // not drawn: takes no room, and joins no column
        list.push(u);
        continue;
      }
      const u = unit(p.x, p.y, isLabel ? (label.width ?? 0) / 2 : 0, false);
      chain.push(u);
      list.push(u);
    }
    pointUnits.set(`${e.v}\u0000${e.w}\u0000${e.name ?? ''}`, list);
  }
  for (const u of units) parent[u.id] ??= u.id;
  // Straight runs join columns (after every unit has its own root).
  for (const e of g.edges()) {
    const list = pointUnits.get(`${e.v}\u0000${e.w}\u0000${e.name ?? ''}`) ?? [];
    const ranking = (e.name ?? '').startsWith('rank ');
    const from = nodeUnit.get(e.v);
    const to = nodeUnit.get(e.w);
    const ends = ranking
      ? list.filter((u) => u.half > 0)
      : [...(from ? [from] : []), ...list, ...(to ? [to] : [])];
    for (let i = 0; i + 1 < ends.length; i++) {
      const a = ends[i] as Unit;
      const b = ends[i + 1] as Unit;
      if (Math.abs(a.x - b.x) < 0.5) union(a.id, b.id);
    }
  }
  // Whatever is inside a cluster's frame is part of it.
  const members = new Map<number, Unit>();
  for (const u of units) {
    if (clusterUnits.includes(u)) continue;
    const c = inside(u.x, u.y);
    if (c) {
      union(u.id, c.id);
      members.set(u.id, c);
    }
  }

  // Each level, left to right: the units that take room in it (a cluster in every level it spans).
  const levels = new Map<number, Unit[]>();
  const put = (y: number, u: Unit) => levels.set(y, [...(levels.get(y) ?? []), u]);
  const allLevels = [...new Set(units.map((u) => u.y))];
  for (const u of units) {
    if (members.has(u.id)) continue;
    if (clusterUnits.includes(u)) {
      for (const y of allLevels) if (y >= u.top && y <= u.bottom) put(y, u);
    } else if (!hiddenUnits.has(u.id)) put(u.y, u);
  }
  const left = new Map<number, { unit: Unit; sep: number }[]>();
  for (const row of levels.values()) {
    row.sort((a, b) => a.x - b.x);
    for (let i = 1; i < row.length; i++) {
      const a = row[i - 1] as Unit;
      const b = row[i] as Unit;
      const sep = a.half + b.half + ((a.node ? nodesep : edgesep) + (b.node ? nodesep : edgesep)) / 2;
      left.set(b.id, [...(left.get(b.id) ?? []), { unit: a, sep }]);
    }
  }
  // Columns left to right: each as far left as its units' left neighbours let it.
  const columns = new Map<number, Unit[]>();
  for (const u of units) columns.set(find(u.id), [...(columns.get(find(u.id)) ?? []), u]);
  const shift = new Map<number, number>();
  const ordered = [...columns.entries()].sort(
    (a, b) => Math.min(...a[1].map((u) => u.x)) - Math.min(...b[1].map((u) => u.x)),
  );
  for (const [root, column] of ordered) {
    let dx = Number.NEGATIVE_INFINITY;
    for (const u of column) {
      dx = Math.max(dx, marginx + u.half - u.x);
      for (const { unit: l, sep } of left.get(u.id) ?? []) {
        const lx = l.x + (shift.get(find(l.id)) ?? 0);
        dx = Math.max(dx, lx + sep - u.x);
      }
    }
    shift.set(root, Math.min(0, dx));
  }
  const dxOf = (u: Unit | undefined) => (u ? (shift.get(find(u.id)) ?? 0) : 0);

  // Move everything by its column's shift.
  for (const spec of nodes) {
    const n = g.node(spec.id);
    const u = spec.cluster
      ? clusterUnits[nodes.filter((m) => m.cluster && m.parent === undefined).indexOf(spec)]
      : undefined;
    const dx = spec.cluster ? dxOf(u ?? inside(n.x ?? 0, level(n.y ?? 0))) : dxOf(nodeUnit.get(spec.id));
    n.x = (n.x ?? 0) + dx;
  }
  for (const e of g.edges()) {
    const label = g.edge(e);
    const list = pointUnits.get(`${e.v}\u0000${e.w}\u0000${e.name ?? ''}`) ?? [];
    const points = label.points ?? [];
    const fromDx = dxOf(nodeUnit.get(e.v));
    const toDx = dxOf(nodeUnit.get(e.w));
    label.points = points.map((p, i) => {
      const dx = i === 0 ? fromDx : i === points.length - 1 ? toDx : dxOf(list[i - 1]);
      return { x: p.x + dx, y: p.y };
    });
    if (label.x !== undefined) {
      const at = list.find((u) => Math.abs(u.y - level(label.y ?? Number.NaN)) < 0.5 && u.half > 0);
      label.x += at ? dxOf(at) : fromDx;
    }
  }
  // The drawing's new width: its rightmost box, label or bend, and the margin.
  let right = 0;
  for (const spec of nodes) {
    const { x = 0, width } = g.node(spec.id);
    right = Math.max(right, x + width / 2);
  }
  for (const e of g.edges()) {
    if ((e.name ?? '').startsWith('rank ') && !g.edge(e).width) continue;
    const label = g.edge(e);
    if (label.width && label.x !== undefined) right = Math.max(right, label.x + label.width / 2);
    if (!(e.name ?? '').startsWith('rank ')) for (const p of label.points ?? []) right = Math.max(right, p.x);
  }
  g.graph().width = right + marginx;
}
const EDGE_SEP = 6;

/**
 * The graph laid out by dagre. The labels of the `thin` edges get a rank's height and no width; the
 * `unlabelled` edges get no room for a label. A ladder's two rungs (the emit's Catch into its park, the
 * second put back to where the emit leads) are not dagre's: the states that lead into the emit lead, for
 * the ranking only, to its park too, which puts the park in the emit's rank and the second put in the
 * next state's; the first of these edges carries the Catch's label, so dagre makes room for it over the
 * park.
 */
function runDagre(
  nodes: readonly NodeSpec[],
  edges: readonly EdgeSpec[],
  texts: readonly string[],
  options: {
    readonly thin: ReadonlySet<number>;
    readonly unlabelled: ReadonlySet<number>;
    readonly ladders: readonly Ladder[];
    /** Edges drawn as stubs, not laid out: the edges into the End marker but the main path's. */
    readonly stubs: ReadonlySet<number>;
    readonly links: readonly Link[];
  },
): Graph<GraphLabel, NodeLabel, EdgeLabel> {
  const { thin, unlabelled, ladders, stubs, links } = options;
  const end = nodes.find((n) => n.type === 'End')?.id;
  const g = new Graph<GraphLabel, NodeLabel, EdgeLabel>({ compound: true, multigraph: true });
  g.setGraph({
    rankdir: 'TB',
    align: 'UL',
    nodesep: NODE_SEP,
    edgesep: EDGE_SEP,
    ranksep: 36,
    marginx: 16,
    marginy: 16,
  });
  // A cluster's size is dagre's to compute (it wraps the cluster's children): give it none.
  for (const node of nodes) g.setNode(node.id, { width: node.width, height: node.height });
  for (const node of nodes) if (node.parent !== undefined) g.setParent(node.id, node.parent);
  const rungs = new Set(ladders.flatMap((l) => [l.catchEdge, l.rejoinEdge]));
  const labelled = (label: string, width: number) =>
    label ? { label, width, height: GRAPH_METRICS.edgeLabelHeight, labelpos: 'c' as const } : {};
  const linked = new Set(links.map((l) => l.edge));
  for (const link of links) {
    if (link.rung) continue;
    g.setNode(link.id, { width: link.width, height: link.height });
    const parent = nodes.find((n) => n.id === link.from)?.parent;
    if (parent !== undefined) g.setParent(link.id, parent);
  }
  edges.forEach((edge, i) => {
    if (rungs.has(i) || stubs.has(i) || linked.has(i)) return;
    const label = unlabelled.has(i) ? '' : shorten(texts[i] ?? '', edge.kind);
    const weight = edge.to === end ? END_WEIGHT : EDGE_WEIGHT[edge.kind];
    g.setEdge(
      edge.from,
      edge.to,
      { ...labelled(label, thin.has(i) ? 1 : labelWidth(label)), weight },
      edgeName(i),
    );
  });
  for (const ladder of ladders) {
    const label = shorten(texts[ladder.catchEdge] ?? '', 'catch');
    ladder.preds.forEach((pred, k) => {
      const size = k === 0 ? labelled(label, labelWidth(label)) : {};
      g.setEdge(pred, ladder.park, { ...size, weight: LADDER_WEIGHT }, rankingName(ladder, k));
    });
  }
  for (const link of links)
    link.preds.forEach((pred, k) => {
      g.setEdge(pred, link.id, { weight: LADDER_WEIGHT }, `rank link ${k} ${link.id}`);
    });
  // Branch 1 on the left, as the console draws a Parallel's branches in definition order.
  const constraints = nodes
    .filter((n) => n.cluster)
    .flatMap((n, i, clusters) => {
      const next = clusters[i + 1];
      return next && next.owner === n.owner && next.parent === n.parent
        ? [{ left: n.id, right: next.id }]
        : [];
    });
  for (const ladder of ladders) {
    constraints.push({ left: ladder.emit, right: ladder.park });
    if (ladder.next !== undefined && ladder.again !== undefined)
      constraints.push({ left: ladder.next, right: ladder.again });
  }
  for (const link of links) constraints.push({ left: link.from, right: link.id });
  const path = mainPath({ nodes, edges });
  layout(g, {
    customOrder: (graph, order) =>
      orderBesideMainPath(graph, order, { path, nodes, edges, constraints, ladders, links }),
    corePath: path,
  });
  return g;
}
/** Between two boxes side by side (and a ladder's rungs are this long). */
const NODE_SEP = 16;
/** The ranking edges that hold a ladder's park level with its emit. */
const LADDER_WEIGHT = 8;

/**
 * An emit's failure handling, drawn as a ladder beside it (rather than as a detour down the graph that
 * would push everything after the emit two ranks lower):
 *
 *     [Emit X] ---------> [Park undelivered X]
 *        |                        |
 *     [Next]   <--------- [Emit X again]
 *
 * Found by shape, not by name: a Catch into a state nothing else leads to, which leads (Next) to one more
 * state nothing else leads to, which leads (Next) where the catching state's own Next leads. The four are
 * in one scope (top level, or one branch), and none is a marker.
 */
interface Ladder {
  readonly emit: string;
  readonly park: string;
  /** Undefined on a side (see `findSides`): a handler with no way back. */
  readonly again?: string;
  readonly next?: string;
  /** The indexes, in the edge list, of the Catch into the park and of the second put's Next. */
  readonly catchEdge: number;
  readonly rejoinEdge?: number;
  /** The states that lead into the emit: for the ranking, each leads to the park as well. */
  readonly preds: readonly string[];
}

function findLadders(nodes: readonly NodeSpec[], edges: readonly EdgeSpec[]): Ladder[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const into = (id: string) => edges.filter((e) => e.to === id);
  const outOf = (id: string) => edges.filter((e) => e.from === id);
  const used = new Set<string>();
  const ladders: Ladder[] = [];
  edges.forEach((edge, catchEdge) => {
    if (edge.kind !== 'catch') return;
    const { from: emit, to: park } = edge;
    if (into(park).length !== 1) return;
    const parkOut = outOf(park);
    const again = parkOut[0]?.to;
    if (parkOut.length !== 1 || parkOut[0]?.kind !== 'next' || again === undefined) return;
    if (into(again).length !== 1) return;
    const onwards = outOf(emit).filter((e) => e.kind === 'next');
    const next = onwards[0]?.to;
    if (onwards.length !== 1 || next === undefined) return;
    const rejoinEdge = edges.findIndex((e) => e.from === again && e.to === next && e.kind === 'next');
    if (rejoinEdge < 0) return;
    const four = [emit, park, again, next];
    const specs = four.map((id) => byId.get(id));
    if (new Set(four).size !== 4 || [emit, park, again].some((id) => used.has(id))) return;
    if (specs.some((n) => !n || n.cluster || n.type === 'Start' || n.type === 'End')) return;
    if (new Set(specs.map((n) => n?.parent)).size !== 1) return;
    // One rung beside a box per rank: a state that is one ladder's next is no other ladder's emit.
    if (ladders.some((l) => [l.emit, l.park, l.again, l.next].includes(next) || l.next === emit)) return;
    const preds = [...new Set(into(emit).map((e) => e.from))];
    if (preds.length === 0) return;
    for (const id of [emit, park, again]) used.add(id);
    ladders.push({ emit, park, again, next, catchEdge, rejoinEdge, preds });
  });
  return ladders;
}

/**
 * A Catch handler nobody else reaches (Read stored version, after the claim's condition failed) drawn as
 * the first rung of a ladder with no way back: the handler level with the state it catches for, right
 * beside it, the Catch straight across, and what the handler leads to hanging below it. Laid out by dagre
 * as any other Catch, the handler would be a rank lower, after every column the states in between take,
 * and its dashed edge would cross them. One rung per state: not from a state that has a ladder or a side.
 */
function findSides(
  nodes: readonly NodeSpec[],
  edges: readonly EdgeSpec[],
  ladders: readonly Ladder[],
): Ladder[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const rungs = new Set(ladders.flatMap((l) => [l.catchEdge, l.rejoinEdge]));
  const taken = new Set(ladders.flatMap((l) => [l.emit, l.park, l.next, l.again]));
  const sides: Ladder[] = [];
  edges.forEach((edge, catchEdge) => {
    if (edge.kind !== 'catch' || rungs.has(catchEdge)) return;
    const { from: emit, to: park } = edge;
    const specs = [byId.get(emit), byId.get(park)];
    if (emit === park || taken.has(emit) || taken.has(park)) return;
    if (specs.some((n) => !n || n.cluster || n.type === 'Start' || n.type === 'End')) return;
    if (specs[0]?.parent !== specs[1]?.parent) return;
    if (edges.some((e, i) => e.to === park && i !== catchEdge)) return;
    const preds = [...new Set(edges.filter((e) => e.to === emit).map((e) => e.from))];
    if (preds.length === 0 || preds.includes(park)) return;
    taken.add(emit);
    taken.add(park);
    sides.push({ emit, park, catchEdge, preds });
  });
  return sides;
}

/**
 * A Catch drawn as a link (see `GraphEdge.link`): into a handler that an earlier Catch (in definition
 * order) already leads to, from a state with no ladder beside it. Its chip is a node of dagre's,
 * held in the catching state's rank, right beside it, the way a ladder's park is.
 */
interface Link {
  readonly edge: number;
  readonly from: string;
  readonly to: string;
  /** The chip's node id: not a state name (those have no control characters). */
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly preds: readonly string[];
  /**
   * No chip: the handler itself stands right beside the catching state, a ladder's second put, which
   * catches what its emit catches (States.Timeout into Record review expired). The handler is ranked by
   * the emit's own Catch, level with the second put, and the Catch is a rung straight across.
   */
  readonly rung?: true;
}

function findLinks(
  nodes: readonly NodeSpec[],
  edges: readonly EdgeSpec[],
  ladders: readonly Ladder[],
): Link[] {
  const crowded = new Set(
    ladders.flatMap((l) => [l.emit, l.park, ...(l.next !== undefined ? [l.next] : [])]),
  );
  const rungs = new Set(ladders.flatMap((l) => [l.catchEdge, l.rejoinEdge]));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const predsOf = (id: string) => [
    ...new Set(edges.flatMap((e, j) => (e.to === id && !rungs.has(j) ? [e.from] : []))),
  ];
  /** Whether a state has no room for a chip beside it: a ladder's there, or nothing ranks it. */
  const chipless = (id: string) =>
    crowded.has(id) || byId.get(id)?.cluster !== false || predsOf(id).length === 0;
  // The Catch drawn all the way into each handler: the first from a state that has no room for a chip,
  // else the first. Drawn from anywhere else it would rank the handler below that state too, and its
  // own edge would run a long way down to it (a Parallel's Catch past everything after the Parallel).
  const full = new Map<string, number>();
  edges.forEach((edge, i) => {
    if (edge.kind !== 'catch' || rungs.has(i)) return;
    const chosen = full.get(edge.to);
    if (chosen === undefined || (!chipless(edges[chosen]?.from ?? '') && chipless(edge.from)))
      full.set(edge.to, i);
  });
  const links: Link[] = [];
  for (const { emit, again } of ladders) {
    if (again === undefined) continue;
    edges.forEach((edge, i) => {
      if (edge.kind !== 'catch' || edge.from !== again || links.some((l) => l.from === again)) return;
      const into = edges.filter((e) => e.to === edge.to);
      const handler = byId.get(edge.to);
      if (!handler || handler.cluster || handler.parent !== byId.get(again)?.parent || crowded.has(edge.to))
        return;
      if (into.some((e) => e.from !== emit && e.from !== again)) return;
      if (!into.some((e) => e.from === emit && e.kind === 'catch')) return;
      links.push({
        edge: i,
        from: again,
        to: edge.to,
        id: edge.to,
        width: 0,
        height: 0,
        preds: [],
        rung: true,
      });
    });
  }
  edges.forEach((edge, i) => {
    if (edge.kind !== 'catch' || rungs.has(i) || full.get(edge.to) === i) return;
    if (links.some((l) => l.edge === i)) return;
    if (chipless(edge.from) || links.some((l) => l.from === edge.from)) return;
    const preds = predsOf(edge.from);
    const label = byId.get(edge.to)?.label ?? edge.to;
    links.push({
      edge: i,
      from: edge.from,
      to: edge.to,
      id: `\u0000link ${i}`,
      width: Math.ceil(labelWidth(label)),
      height: GRAPH_METRICS.linkHeight,
      preds,
    });
  });
  return links;
}

const linkSpec = (link: Link): NodeSpec => ({
  id: link.id,
  label: link.to,
  type: 'Link',
  cluster: false,
  lines: [link.to],
  width: link.width,
  height: link.height,
});

/**
 * Ranking weights (network simplex keeps heavy edges short). A Catch weighs most, so its handler is
 * ranked right below the state it catches for and sits beside the main path, not in a row at the
 * bottom; Next outweighs a Choice path. The edges into the End marker weigh next to nothing (END_WEIGHT),
 * so no end state is pulled down to it: not zero, because dagre's ordering divides by the weights.
 */
const EDGE_WEIGHT: Readonly<Record<EdgeKind, number>> = { next: 2, choice: 1, default: 1, catch: 4 };
const END_WEIGHT = 0.01;

/**
 * The main path, as the console draws it straight down: from the Start marker, each state's first way
 * on that is not a Catch (its Next, a Parallel's first branch, a Choice's first rule, else its Default),
 * until the End marker or a state already on the path (a loop).
 */
function mainPath(graph: {
  readonly nodes: readonly NodeSpec[];
  readonly edges: readonly EdgeSpec[];
}): string[] {
  const start = graph.nodes.find((n) => n.type === 'Start');
  if (!start) return [];
  const path = [start.id];
  const onPath = new Set(path);
  for (let at = start.id; ; ) {
    const next = graph.edges.find((e) => e.from === at && e.kind !== 'catch' && !onPath.has(e.to));
    if (!next) return path;
    path.push(next.to);
    onPath.add(next.to);
    at = next.to;
  }
}

/**
 * dagre's ordering (crossing reduction), told where things go in each rank, left to right:
 *   0. the main path (its state, the edge between two of its states, or the branch cluster it runs
 *      through, with that Parallel's other branches and their edges back to the path);
 *   1. everything else;
 *   2. edges to a Catch handler that pass more than one rank, and the states several edges lead to
 *      (Superseded, Event not delivered): so shared handlers and the long edges into them are on the
 *      right, and states that lead nowhere else do not have to step over them;
 *   3. edges into the End marker that pass more than one rank.
 * dagre orders each rank first (crossing reduction, told only the ladders', links' and branches'
 * constraints); the ranks are then sorted into those groups, top to bottom, and within a group by where
 * the rank above leads into each entry (see below). That puts the main path first everywhere: what
 * `align: 'UL'` needs to draw it straight.
 *
 * `graph` is dagre's layout graph: real nodes keep their ids; dummy nodes (an edge's bends, its label,
 * a cluster's borders) carry the edge they belong to in `edgeObj`.
 */
function orderBesideMainPath(
  graph: Graph<GraphLabel, NodeLabel, EdgeLabel>,
  order: (graph: Graph<GraphLabel, NodeLabel, EdgeLabel>, opts?: LayoutOptions) => void,
  context: {
    readonly path: readonly string[];
    readonly nodes: readonly NodeSpec[];
    readonly edges: readonly EdgeSpec[];
    readonly constraints: readonly OrderConstraint[];
    readonly ladders: readonly Ladder[];
    readonly links: readonly Link[];
  },
): void {
  const { path, nodes, edges, constraints, ladders, links } = context;
  const onPath = new Set(path);
  const key = (from: string, to: string) => JSON.stringify([from, to]);
  const pathEdges = new Set(path.slice(1).map((to, i) => key(path[i] as string, to)));
  const catchEdges = new Set(edges.filter((e) => e.kind === 'catch').map((e) => key(e.from, e.to)));
  const owners = new Map(nodes.flatMap((n) => (n.owner !== undefined ? [[n.id, n.owner] as const] : [])));
  const end = nodes.find((n) => n.type === 'End')?.id;
  // A ladder's second put rejoins where its emit leads, and a link ends at its chip: neither makes the
  // state they lead to one that several states share.
  const besides = new Set([...ladders.map((l) => l.rejoinEdge), ...links.map((l) => l.edge)]);
  const incoming = new Map<string, number>();
  edges.forEach((e, i) => {
    if (!besides.has(i)) incoming.set(e.to, (incoming.get(e.to) ?? 0) + 1);
  });
  const shared = (v: string) => v !== end && !onPath.has(v) && (incoming.get(v) ?? 0) > 1;

  const topOf = (v: string) => {
    let top = v;
    for (let p = graph.parent(top); p !== undefined; p = graph.parent(p)) top = p;
    return top;
  };
  const rankOf = (v: string) => graph.node(v).rank ?? 0;
  /** The original edge a dummy node belongs to, and whether it passes more than one rank of states. */
  const edgeOf = (v: string) => {
    const e = graph.node(v).edgeObj;
    return e && { from: e.v, to: e.w, long: rankOf(e.w) - rankOf(e.v) > 2, key: key(e.v, e.w) };
  };

  // The top-level entries (nodes, dummies, clusters) of each rank, and the one the main path is in.
  const entries = new Map<number, Set<string>>();
  const enter = (rank: number, v: string) => {
    const set = entries.get(rank) ?? new Set<string>();
    set.add(v);
    entries.set(rank, set);
  };
  const pathAt = new Map<number, string>();
  for (const v of graph.nodes()) {
    const n = graph.node(v);
    if (graph.parent(v) === undefined) {
      if (n.rank !== undefined) enter(n.rank, v);
      if (n.minRank !== undefined && n.maxRank !== undefined)
        for (let r = n.minRank; r <= n.maxRank; r++) enter(r, v);
    }
    const e = edgeOf(v);
    if (n.rank !== undefined && (onPath.has(v) || (e && pathEdges.has(e.key)))) pathAt.set(n.rank, topOf(v));
  }
  // A cluster the main path runs through is on it in every rank it spans (its top and bottom too).
  for (const top of new Set(pathAt.values())) {
    const { minRank, maxRank } = graph.node(top);
    if (minRank !== undefined && maxRank !== undefined)
      for (let r = minRank; r <= maxRank; r++) if (!pathAt.has(r)) pathAt.set(r, top);
  }
  const group = (rank: number, entry: string): number => {
    const onMain = pathAt.get(rank);
    const owner = onMain === undefined ? undefined : owners.get(onMain);
    const e = edgeOf(entry);
    if (
      entry === onMain ||
      (owner !== undefined && owners.get(entry) === owner) ||
      (owner !== undefined && e && onPath.has(e.to) && owners.get(topOf(e.from)) === owner)
    )
      return 0;
    if (e?.long && e.to === end) return 3;
    if ((e?.long && catchEdges.has(e.key)) || shared(entry)) return 2;
    return 1;
  };

  // dagre orders freely but for the ladders, the links and a Parallel's branches (told as constraints:
  // told the groups too, it merges so many nodes into constrained blocks that its barycenters no longer
  // follow the edges); the groups are put in order below.
  order(graph, { constraints: [...constraints] });

  // Each rank in dagre's order (which its constraints can leave with two nodes at one position).
  const ranks: string[][] = [];
  for (const v of graph.nodes()) {
    const { rank, order: at } = graph.node(v);
    if (rank === undefined || at === undefined) continue;
    ranks[rank] = [...(ranks[rank] ?? []), v];
  }
  for (const layer of ranks) layer?.sort((a, b) => (graph.node(a).order ?? 0) - (graph.node(b).order ?? 0));
  // A ladder's side stands right beside its emit and its next, and so do the edges between them (its
  // ranking edges beside the edges into the emit, the park's edge down beside the emit's): nothing comes
  // between a rung's two ends, or between the ladder's two columns.
  const index = (from: string, to: string) => edges.findIndex((e) => e.from === from && e.to === to);
  const beside = new Map<string, string[]>();
  const pair = (anchor: string, side: string) => beside.set(anchor, [...(beside.get(anchor) ?? []), side]);
  const dummyKey = (name: string) => `\u0000edge ${name}`;
  for (const l of ladders) {
    pair(l.emit, l.park);
    if (l.next !== undefined && l.again !== undefined) {
      pair(l.next, l.again);
      pair(dummyKey(edgeName(index(l.emit, l.next))), dummyKey(edgeName(index(l.park, l.again))));
    }
    l.preds.forEach((pred, k) => {
      pair(dummyKey(edgeName(index(pred, l.emit))), dummyKey(rankingName(l, k)));
    });
  }
  for (const link of links) pair(link.from, link.id);
  const keyOf = (v: string) => {
    const n = graph.node(v);
    return n.dummy && n.edgeObj?.name !== undefined ? dummyKey(n.edgeObj.name) : v;
  };
  ranks.forEach((layer, rank) => {
    // Within a group, one more top-down sweep: each entry (a cluster as a whole) goes by the mean order of
    // what leads into it in the rank above, as that rank was finally placed, so a state stays under the
    // state it follows once the groups have moved things about. Entries nothing leads into keep their
    // place after their left neighbour.
    const above = new Map<string, number[]>();
    for (const v of layer) {
      const orders = (graph.predecessors(v) ?? []).map((u) => graph.node(u).order ?? 0);
      above.set(topOf(v), [...(above.get(topOf(v)) ?? []), ...orders]);
    }
    let last = 0;
    // Between entries level in that sweep (the ways out of one state), a state that ends there (an
    // outcome, or a Fail) goes right of the ways that go on: the columns that go on stay near the state
    // they leave.
    const entries = [...layer].map((v, i) => {
      const orders = above.get(topOf(v)) ?? [];
      if (orders.length > 0) last = orders.reduce((a, b) => a + b, 0) / orders.length;
      const n = graph.node(v);
      // Inside a cluster, dagre's order stands: a branch is one entry.
      const target = topOf(v) !== v ? undefined : n.dummy ? n.edgeObj?.w : v;
      const ends =
        target !== undefined &&
        !graph.node(target).dummy &&
        graph.children(target).length === 0 &&
        (graph.successors(target) ?? []).length === 0;
      // An edge on its way further down goes right of both: it passes, the others stop here.
      const passing = n.dummy && target !== undefined && (graph.node(target).rank ?? 0) > rank + 1;
      return { v, i, group: group(rank, topOf(v)), at: last, ends: passing ? 2 : ends ? 1 : 0 };
    });
    const sorted = entries
      .sort((a, b) => a.group - b.group || a.at - b.at || a.ends - b.ends || a.i - b.i)
      .map(({ v }) => v);
    const byKey = new Map(sorted.map((v) => [keyOf(v), v]));
    const sidesOf = (v: string) =>
      (beside.get(keyOf(v)) ?? []).flatMap((key) => {
        const side = byKey.get(key);
        return side === undefined ? [] : [side];
      });
    const moved = new Set(sorted.flatMap(sidesOf));
    const withSides = (v: string): string[] => [v, ...sidesOf(v).flatMap(withSides)];
    const placed = sorted.flatMap((v) => (moved.has(v) ? [] : withSides(v)));
    if (placed.length !== sorted.length) return; // a side beside a side: leave the rank as it is
    placed.forEach((v, i) => {
      graph.node(v).order = i;
    });
  });
}

/** Words into lines of at most `max` characters (a longer word gets a line of its own). */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= max)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * An edge label short enough to keep the graph narrow: `DynamoDB.ConditionalCheckFailedException` reads
 * as `ConditionalCheckFailedException` (the States.* names keep theirs: they are the language's own), and
 * `$.assessment.Payload.decision == "approved"` as `…decision == "approved"`: the values compared, which
 * tell the edges of one Choice apart, stay whole. Only what is still too long is cut.
 */
function shorten(text: string, kind: EdgeKind): string {
  const max = kind === 'catch' ? GRAPH_METRICS.edgeLabelMaxChars : GRAPH_METRICS.ruleLabelMaxChars;
  if (text.length <= max) return text;
  const unprefixed = text.replace(/\b(?!States\.)[A-Z][A-Za-z0-9]*\.(?=[A-Z])/g, '');
  if (unprefixed.length <= max) return unprefixed;
  const lastFields = unprefixed.replace(/\$\$?(?:\.[\w-]+)*\.([\w-]+)/g, '…$1');
  return lastFields.length > max ? `${lastFields.slice(0, max - 1)}…` : lastFields;
}

/** The definition, checked for the two fields everything hangs on. */
function asMachine(value: unknown): AslMachine {
  const v = value as Partial<AslMachine> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.StartAt !== 'string' ||
    typeof v.States !== 'object' ||
    v.States === null
  )
    throw new TypeError('layoutStateMachine: the definition is not ASL (it needs StartAt and States)');
  return v as AslMachine;
}

/** Nodes and edges in definition order, before layout. */
function buildGraph(machine: AslMachine): { nodes: NodeSpec[]; edges: EdgeSpec[] } {
  const nodes: NodeSpec[] = [];
  const edges: EdgeSpec[] = [];
  const byKey = new Map<string, EdgeSpec>();

  // Synthetic ids must not collide with a state name (any string up to 80 characters is one).
  const taken = new Set<string>();
  collectNames(machine, taken);
  const syntheticId = (base: string) => {
    let id = base;
    while (taken.has(id)) id += '~';
    taken.add(id);
    return id;
  };

  const stateNode = (id: string, label: string, type: string, parent: string | undefined) => {
    const { nodeCharWidth, nodePaddingX, nodeMinWidth, nodeHeight, nodeLineHeight } = GRAPH_METRICS;
    const lines = wrap(label, GRAPH_METRICS.nodeMaxLineChars);
    const longest = Math.max(...lines.map((line) => line.length));
    const width = Math.max(nodeMinWidth, Math.ceil(longest * nodeCharWidth) + 2 * nodePaddingX);
    const height = nodeHeight + (lines.length - 1) * nodeLineHeight;
    nodes.push({ id, label, type, parent, cluster: false, lines, width, height });
  };
  const marker = (type: 'Start' | 'End') => {
    const id = syntheticId(`(${type.toLowerCase()})`);
    const { markerWidth, markerHeight } = GRAPH_METRICS;
    nodes.push({
      id,
      label: type,
      type,
      cluster: false,
      lines: [type],
      width: markerWidth,
      height: markerHeight,
    });
    return id;
  };
  const edge = (from: string, to: string | undefined, kind: EdgeKind, label?: string) => {
    if (to === undefined || !taken.has(to)) return; // a Next to no state: invalid ASL, drawn without it
    const key = JSON.stringify([from, to, kind]);
    const existing = byKey.get(key);
    if (existing) {
      if (label && !existing.labels.includes(label)) existing.labels.push(label);
      return;
    }
    const spec: EdgeSpec = { from, to, kind, labels: label ? [label] : [] };
    byKey.set(key, spec);
    edges.push(spec);
  };

  /**
   * Adds a machine's states. `exit` is where an End: true or a Succeed leads (the End marker at the top
   * level, the continuation of the Parallel or Map inside a branch); `failExit` is where a Fail leads
   * (the End marker at the top, nowhere inside a branch). Returns how many edges reached `exit`.
   */
  const addMachine = (
    m: AslMachine,
    parent: string | undefined,
    exit: string | undefined,
    failExit: string | undefined,
  ): number => {
    let exits = 0;
    const toExit = (from: string) => {
      if (exit === undefined) return;
      edge(from, exit, 'next');
      exits += 1;
    };
    for (const [name, state] of Object.entries(m.States)) {
      stateNode(name, name, String(state.Type), parent);

      const processors =
        state.Type === 'Parallel'
          ? (state.Branches ?? []).map((branch, i) => ({ machine: branch, label: `Branch ${i + 1}` }))
          : state.Type === 'Map' && (state.ItemProcessor ?? state.Iterator)
            ? [{ machine: (state.ItemProcessor ?? state.Iterator) as AslMachine, label: 'Item processor' }]
            : [];
      if (processors.length > 0) {
        let reached = 0;
        for (const [i, processor] of processors.entries()) {
          const inner = processor.machine;
          if (!inner?.States || Object.keys(inner.States).length === 0) continue;
          const cluster = syntheticId(`(${name} ${i + 1})`);
          nodes.push({
            id: cluster,
            label: processor.label,
            type: 'Branch',
            parent,
            owner: name,
            cluster: true,
            lines: [processor.label],
            width: 0,
            height: 0,
          });
          edge(name, inner.StartAt, 'next');
          // The branch's ends lead where the Parallel itself leads: to its Next, or out of its own scope.
          const target = state.Next ?? (state.End ? exit : undefined);
          reached += addMachine(inner, cluster, target, undefined);
        }
        if (reached === 0) {
          if (state.Next !== undefined) edge(name, state.Next, 'next');
          else if (state.End) toExit(name);
        } else if (state.End && exit !== undefined) exits += 1; // its branches' ends reached `exit`
      } else if (state.Type === 'Choice') {
        for (const rule of state.Choices ?? []) edge(name, String(rule.Next), 'choice', summarizeRule(rule));
        edge(name, state.Default, 'default');
      } else if (state.Type === 'Succeed') {
        toExit(name);
      } else if (state.Type === 'Fail') {
        if (failExit !== undefined) edge(name, failExit, 'next');
      } else if (state.Next !== undefined) {
        edge(name, state.Next, 'next');
      } else if (state.End) {
        toExit(name);
      }
      for (const catcher of state.Catch ?? [])
        edge(name, catcher.Next, 'catch', (catcher.ErrorEquals ?? []).join(', '));
    }
    return exits;
  };

  const start = marker('Start');
  const end = marker('End');
  // The markers are added first so the ids are stable, but the End node is reachable only through edges.
  edge(start, machine.StartAt, 'next');
  addMachine(machine, undefined, end, end);
  return { nodes, edges };
}

/** Every state name, in branches and item processors too. */
function collectNames(machine: AslMachine, into: Set<string>): void {
  for (const [name, state] of Object.entries(machine.States ?? {})) {
    into.add(name);
    for (const branch of state.Branches ?? []) collectNames(branch, into);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) collectNames(processor, into);
  }
}

const OPERATORS: Readonly<Record<string, string>> = {
  Equals: '==',
  LessThan: '<',
  GreaterThan: '>',
  LessThanEquals: '<=',
  GreaterThanEquals: '>=',
  Matches: 'matches',
};
const TYPE_TESTS: Readonly<Record<string, string>> = {
  IsPresent: 'present',
  IsNull: 'null',
  IsString: 'a string',
  IsNumeric: 'numeric',
  IsBoolean: 'a boolean',
  IsTimestamp: 'a timestamp',
};

/**
 * A Choice rule in one line: `$.decision == "approved"`, `$.score >= 700`, `$.a == $.b` (a *Path
 * comparison), `$.email is present`, `($.a > 1) and not ($.b is null)`. A JSONata rule shows its
 * Condition as written.
 */
export function summarizeRule(rule: ChoiceRule): string {
  if (typeof rule.Condition === 'string') return rule.Condition.replace(/^\{%\s*|\s*%\}$/g, '');
  const nested = (r: unknown) => {
    const text = summarizeRule(r as ChoiceRule);
    const compound = typeof r === 'object' && r !== null && ('And' in r || 'Or' in r);
    return compound ? `(${text})` : text;
  };
  if (Array.isArray(rule.And)) return rule.And.map(nested).join(' and ');
  if (Array.isArray(rule.Or)) return rule.Or.map(nested).join(' or ');
  if (rule.Not !== undefined) return `not (${summarizeRule(rule.Not as ChoiceRule)})`;

  const variable = typeof rule.Variable === 'string' ? rule.Variable : '?';
  for (const [key, value] of Object.entries(rule)) {
    const test = TYPE_TESTS[key];
    if (test) return `${variable} is ${value === false ? 'not ' : ''}${test}`;
    const match =
      /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/.exec(
        key,
      );
    if (!match) continue;
    const [, kind, operator = '', path] = match;
    // A path or a number reads as written; a string or a timestamp gets quotes, as in the ASL.
    const operand = path || kind === 'Numeric' || kind === 'Boolean' ? String(value) : JSON.stringify(value);
    return `${variable} ${OPERATORS[operator] ?? operator} ${operand}`;
  }
  return variable;
}
