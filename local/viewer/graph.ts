/**
 * The state machine graph of the execution viewer: built from the ASL, laid out with dagre, and coloured
 * from the execution's history. Runs in the browser (bundled by esbuild) and in Jest; no DOM access here,
 * and no Node APIs.
 *
 * The page (local/viewer/app.ts) relies on these exports.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
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

/** What happened to a state in one execution, as the console colours it. */
export type StateStatus = 'succeeded' | 'failed' | 'caught' | 'in-progress' | 'not-reached';

/** One attempt of a state (a Task retried three times has four). */
export interface StateAttempt {
  readonly startedEventId: number;
  readonly endedEventId?: number;
  readonly error?: string;
  readonly cause?: string;
}

/** What the history says about one state: the first input, the last output, error and cause, attempts. */
export interface StateRun {
  readonly name: string;
  readonly status: StateStatus;
  readonly input?: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly attempts: readonly StateAttempt[];
  /** History event ids that belong to this state, for highlighting rows of the history table. */
  readonly eventIds: readonly number[];
  /**
   * The state was cut short rather than failing itself: the execution was stopped or timed out while it
   * ran, or a sibling Parallel branch (or Map iteration) failed. Its status is then 'failed'; the page
   * can say "aborted" (the console's "Cancelled").
   */
  readonly aborted?: boolean;
}

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
  nodePaddingX: 16,
  nodeMinWidth: 120,
  /** A one-line box; each further line of a wrapped name adds `nodeLineHeight`. */
  nodeHeight: 40,
  nodeLineHeight: 16,
  nodeMaxLineChars: 20,
  markerWidth: 64,
  markerHeight: 28,
  edgeFontSize: 11,
  edgeCharWidth: 6.5,
  edgeLabelPaddingX: 6,
  edgeLabelHeight: 16,
  /** Longer edge labels are cut with an ellipsis; `title` keeps the whole text. */
  edgeLabelMaxChars: 48,
} as const;

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
 *   to align the End marker under it too, rather than under the middle of the edges that reach it.
 * - Edges that pass many ranks (a Catch to a handler shared by several states, an end far above the End
 *   marker) are kept to the right of the states they pass, so they run down the right-hand side instead
 *   of pushing every column after them further right.
 * - Long state names wrap (`GraphNode.lines`). A Catch edge's label gets room only when the edge leads
 *   to a handler of its own: the edges into a shared handler (Superseded, say) cross much of the graph
 *   and say the same thing, so one of them shows the label, beside the edge, and the others keep it as
 *   their title.
 */
export function layoutStateMachine(definition: unknown): LaidOutGraph {
  const machine = asMachine(typeof definition === 'string' ? JSON.parse(definition) : definition);
  const { nodes, edges } = buildGraph(machine);
  const texts = edges.map((edge) => edge.labels.join(edge.kind === 'choice' ? ' or ' : ', '));
  // A Catch into a handler several edges lead to: the first to name its errors gets a rank's height for
  // its label and no width (placeThinLabels puts it beside the edge); the others name the same, and keep
  // it as their title.
  const incoming = new Map<string, number>();
  for (const edge of edges) incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
  const thin = new Set<number>();
  const unlabelled = new Set<number>();
  const said = new Set<string>();
  edges.forEach((edge, i) => {
    if (edge.kind !== 'catch' || (incoming.get(edge.to) ?? 0) < 2) return;
    const saying = JSON.stringify([edge.to, texts[i]]);
    (said.has(saying) ? unlabelled : thin).add(i);
    said.add(saying);
  });
  const g = runDagre(nodes, edges, texts, thin, unlabelled);

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
  const isMarker = (id: string) => markers.has(id);
  const thinLabels = placeThinLabels(g, edges, texts, thin);
  const laidOutEdges = edges.map((spec, i): GraphEdge => {
    const e = g.edge(spec.from, spec.to, edgeName(i));
    const title = texts[i] ?? '';
    const thinLabel = thinLabels.get(i);
    const label =
      !title || unlabelled.has(i)
        ? {}
        : { label: shorten(title), labelX: thinLabel?.x ?? e.x ?? 0, labelY: thinLabel?.y ?? e.y ?? 0 };
    return {
      from: spec.from,
      to: spec.to,
      kind: spec.kind,
      ...(title ? { title } : {}),
      ...label,
      points: throughTopAndBottom(
        e.points ?? [],
        { ...g.node(spec.from), round: isMarker(spec.from) },
        { ...g.node(spec.to), round: isMarker(spec.to) },
      ),
    };
  });
  const { width = 0, height = 0 } = g.graph();
  return { nodes: laidOutNodes, edges: laidOutEdges, width, height };
}

const edgeName = (i: number) => `e${i}`;

/**
 * dagre's route with its ends moved, as the console draws them: an edge that goes on down leaves its
 * state from the bottom and comes into the next state from the top, where dagre would have it cross
 * the side of the box (towards a bend far to the side, through the states beside it in the row).
 */
function throughTopAndBottom(
  points: readonly { x: number; y: number }[],
  from: NodeLabel & { readonly round: boolean },
  to: NodeLabel & { readonly round: boolean },
): { x: number; y: number }[] {
  const route = points.map(({ x, y }) => ({ x, y }));
  const second = route[1];
  const beforeLast = route.at(-2);
  if (!second || !beforeLast) return route;
  const port = (node: NodeLabel & { readonly round: boolean }, towards: number, edge: 'top' | 'bottom') => {
    const { x = 0, y = 0, width, height } = node;
    // Clear of the rounded corners (a Start or End marker is all corner: its ends are half circles).
    const inset = Math.min(width / 2, node.round ? height / 2 : PORT_INSET);
    return {
      x: Math.min(Math.max(towards, x - width / 2 + inset), x + width / 2 - inset),
      y: edge === 'top' ? y - height / 2 : y + height / 2,
    };
  };
  if (second.y > (from.y ?? 0) + from.height / 2) route[0] = port(from, second.x, 'bottom');
  if (beforeLast.y < (to.y ?? 0) - to.height / 2) route[route.length - 1] = port(to, beforeLast.x, 'top');
  return route;
}
const PORT_INSET = 10;

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
): Map<number, { x: number; y: number }> {
  const { width = 0 } = g.graph();
  const lineHeight = GRAPH_METRICS.edgeLabelHeight;
  const at = (i: number) => g.edge(edges[i]?.from ?? '', edges[i]?.to ?? '', edgeName(i));
  const placed: { x: number; y: number; half: number }[] = [];
  edges.forEach((_, i) => {
    const e = at(i);
    if (!thin.has(i) && e.width && e.height)
      placed.push({ x: e.x ?? 0, y: e.y ?? 0, half: labelWidth(shorten(texts[i] ?? '')) / 2 });
  });
  const centres = new Map<number, { x: number; y: number }>();
  for (const i of [...thin].sort((a, b) => a - b)) {
    const { x = 0, y = 0 } = at(i);
    const half = labelWidth(shorten(texts[i] ?? '')) / 2;
    const within = (cx: number) => Math.min(Math.max(cx, half), Math.max(width - half, half));
    const left = within(x - THIN_LABEL_GAP - half);
    const right = within(x + THIN_LABEL_GAP + half);
    const candidates = [
      { x: left, y },
      { x: right, y },
      { x: left, y: y + lineHeight },
      { x: right, y: y + lineHeight },
    ];
    const free = (c: { x: number; y: number }) =>
      placed.every((p) => Math.abs(p.y - c.y) >= lineHeight || Math.abs(p.x - c.x) >= p.half + half);
    const centre = candidates.find(free) ?? { x: left, y };
    placed.push({ ...centre, half });
    centres.set(i, centre);
  }
  return centres;
}
/** Between a label dagre made no room for and its edge. */
const THIN_LABEL_GAP = 4;

/**
 * The graph laid out by dagre. The labels of the `thin` edges get a rank's height and no width; the
 * `unlabelled` edges get no room for a label.
 */
function runDagre(
  nodes: readonly NodeSpec[],
  edges: readonly EdgeSpec[],
  texts: readonly string[],
  thin: ReadonlySet<number>,
  unlabelled: ReadonlySet<number>,
): Graph<GraphLabel, NodeLabel, EdgeLabel> {
  const end = nodes.find((n) => n.type === 'End')?.id;
  const g = new Graph<GraphLabel, NodeLabel, EdgeLabel>({ compound: true, multigraph: true });
  g.setGraph({ rankdir: 'TB', align: 'UL', nodesep: 32, edgesep: 12, ranksep: 36, marginx: 16, marginy: 16 });
  // A cluster's size is dagre's to compute (it wraps the cluster's children): give it none.
  for (const node of nodes) g.setNode(node.id, { width: node.width, height: node.height });
  for (const node of nodes) if (node.parent !== undefined) g.setParent(node.id, node.parent);
  edges.forEach((edge, i) => {
    const label = unlabelled.has(i) ? '' : shorten(texts[i] ?? '');
    const size = label
      ? {
          label,
          width: thin.has(i) ? 1 : labelWidth(label),
          height: GRAPH_METRICS.edgeLabelHeight,
          labelpos: 'c' as const,
        }
      : {};
    const weight = edge.to === end ? END_WEIGHT : EDGE_WEIGHT[edge.kind];
    g.setEdge(edge.from, edge.to, { ...size, weight }, edgeName(i));
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
  const path = mainPath({ nodes, edges });
  layout(g, {
    customOrder: (graph, order) => orderBesideMainPath(graph, order, { path, nodes, edges, constraints }),
    corePath: path,
  });
  return g;
}

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
 * dagre takes these as ordering constraints; it can still break one when it merges constrained nodes,
 * so the ranks are then sorted into those groups (keeping dagre's order within each), which puts the
 * main path first everywhere: what `align: 'UL'` needs to draw it straight.
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
  },
): void {
  const { path, nodes, edges, constraints } = context;
  const onPath = new Set(path);
  const key = (from: string, to: string) => JSON.stringify([from, to]);
  const pathEdges = new Set(path.slice(1).map((to, i) => key(path[i] as string, to)));
  const catchEdges = new Set(edges.filter((e) => e.kind === 'catch').map((e) => key(e.from, e.to)));
  const owners = new Map(nodes.flatMap((n) => (n.owner !== undefined ? [[n.id, n.owner] as const] : [])));
  const end = nodes.find((n) => n.type === 'End')?.id;
  const incoming = new Map<string, number>();
  for (const e of edges) incoming.set(e.to, (incoming.get(e.to) ?? 0) + 1);
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

  const sides: OrderConstraint[] = [];
  for (const [rank, set] of entries)
    for (const left of set)
      for (const right of set) if (group(rank, left) < group(rank, right)) sides.push({ left, right });
  order(graph, { constraints: [...constraints, ...sides] });

  const ranks: string[][] = [];
  for (const v of graph.nodes()) {
    const { rank, order: at } = graph.node(v);
    if (rank === undefined || at === undefined) continue;
    const layer = ranks[rank] ?? [];
    layer[at] = v;
    ranks[rank] = layer;
  }
  ranks.forEach((layer, rank) => {
    const sorted = [...layer.filter((v) => v !== undefined)]
      .map((v, i) => ({ v, i, group: group(rank, topOf(v)) }))
      .sort((a, b) => a.group - b.group || a.i - b.i);
    sorted.forEach(({ v }, i) => {
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

function shorten(text: string): string {
  const max = GRAPH_METRICS.edgeLabelMaxChars;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
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

// ---------------------------------------------------------------------------------------------------
// What happened to each state
// ---------------------------------------------------------------------------------------------------

/** A mutable StateAttempt while the history is read. */
interface Attempt {
  startedEventId: number;
  endedEventId?: number;
  error?: string;
  cause?: string;
}

/**
 * One entry into a state. A state is entered more than once in a loop, in each Map iteration, and in each
 * attempt of a retried Parallel or Map around it; the state's status is made from its entries (see
 * `runOf`).
 */
interface Entry {
  readonly name: string;
  /** The ASL type, from the Entered event's type (TaskStateEntered -> Task). */
  readonly type: string;
  readonly enteredEventId: number;
  /** The Parallel or Map entry this one runs inside (undefined at the top level). */
  readonly within: Entry | undefined;
  /** How many attempts `within` had started when this entry began: entries of older attempts are stale. */
  readonly withinAttempt: number;
  input?: string;
  output?: string;
  /** Task: one per TaskScheduled; Parallel and Map: one per XStateStarted; others: the entry itself. */
  readonly attempts: Attempt[];
  /** Exited normally ('succeeded'), exited after an error ('caught'), or ended by failure or abort. */
  outcome?: 'succeeded' | 'caught' | 'failed';
  /** The entry has failed and nothing has yet said what becomes of it: a retry, a Catch, or failure. */
  failing: boolean;
  aborted: boolean;
  error?: string;
  cause?: string;
}

const TERMINAL = /^Execution(Succeeded|Failed|Aborted|TimedOut)$/;
/** Task events that carry an error: the attempt failed. */
const TASK_FAILURE =
  /^(Task(Failed|TimedOut|StartFailed|SubmitFailed)|Lambda(Function(Failed|TimedOut|StartFailed|ScheduleFailed)))$/;

/** The details object of an event that carries error and cause, whatever its type. */
function errorOf(event: HistoryEvent): { error?: string; cause?: string } | undefined {
  for (const [key, value] of Object.entries(event))
    if (key.endsWith('EventDetails') && value && typeof value === 'object' && 'error' in value)
      return value as { error?: string; cause?: string };
  return undefined;
}

/**
 * What happened to each state of an execution, from its GetExecutionHistory events (any page order,
 * pages may overlap). States never entered are absent: the page shows them as not reached.
 *
 * Events are tied to states by name (XStateEntered / XStateExited) and otherwise by previousEventId,
 * which names the event that caused each one: a TaskScheduled follows its state's Entered (or its last
 * TaskFailed, on a retry); the first state of a Parallel branch or Map iteration follows
 * ParallelStateStarted / MapIterationStarted, which tells which Parallel or Map it runs in.
 *
 * Status of a state:
 * - 'succeeded': it exited normally (a Task may have failed attempts before: see `attempts`).
 * - 'caught': it failed and a Catch took the error: AWS records XFailed then XStateExited, and the
 *   handler's Entered follows.
 * - 'failed': it failed for good: the execution failed there, or its Parallel branch or Map iteration
 *   failed (even when the Parallel or Map then catches that: the Parallel itself shows 'caught'). A Fail
 *   state is always 'failed'.
 * - 'failed' with `aborted: true`: it was cut short. The execution was stopped (ExecutionAborted) or
 *   timed out while it ran, or a sibling branch failed its Parallel (TaskStateAborted). The console shows
 *   these as cancelled; StateStatus has no such colour, and red tells the reader the run ended there,
 *   which 'in-progress' or 'not-reached' would deny. The error and cause are the stop's, if it gave any.
 * - 'in-progress': entered and not yet out, while the execution runs (a Task waiting for its next
 *   Retry attempt included).
 *
 * A state entered several times: inside a Parallel or Map, the entries of the latest attempt of that
 * Parallel or Map count, and the worst of them wins (one failed Map iteration makes the state failed);
 * at the top level (a loop through a Choice) the latest entry counts.
 *
 * input is the first entry's input, output the last exit's output. error and cause are set only on a
 * 'failed' or 'caught' state (a Task that succeeded on its third attempt keeps its errors in
 * `attempts`). A Fail state's error and cause, which its FailStateEntered does not carry, come from the
 * ExecutionFailed it causes, or from the Catch result of the Parallel or Map that caught it.
 */
export function stateRuns(history: readonly HistoryEvent[]): Map<string, StateRun> {
  const events = inIdOrder(history);
  const byId = new Map<number, HistoryEvent>();
  for (const e of events) if (e.id !== undefined) byId.set(e.id, e);

  /** Event id -> the entry it belongs to. */
  const entryOf = new Map<number, Entry>();
  const entries: Entry[] = [];
  /** Entries of each state, in order; and each state's event ids. */
  const byName = new Map<string, Entry[]>();
  const eventIds = new Map<string, number[]>();
  const open = new Set<Entry>();
  let ended = false;

  const belongs = (event: HistoryEvent, entry: Entry | undefined) => {
    if (!entry || event.id === undefined) return;
    entryOf.set(event.id, entry);
    eventIds.get(entry.name)?.push(event.id);
  };
  const causeOf = (event: HistoryEvent) => entryOf.get(event.previousEventId ?? -1);
  const close = (entry: Entry, outcome: Entry['outcome']) => {
    entry.outcome = outcome;
    entry.failing = false;
    open.delete(entry);
  };
  const lastAttempt = (entry: Entry | undefined) => entry?.attempts.at(-1);

  for (const event of events) {
    const type = event.type ?? '';
    const id = event.id ?? 0;
    const entered = event.stateEnteredEventDetails;
    const exited = event.stateExitedEventDetails;

    if (entered && type.endsWith('StateEntered')) {
      const name = entered.name ?? '';
      const stateType = type.slice(0, -'StateEntered'.length);
      const within = enclosingOf(event);
      const entry: Entry = {
        name,
        type: stateType,
        enteredEventId: id,
        within,
        withinAttempt: within?.attempts.length ?? 0,
        input: entered.input,
        attempts: [],
        failing: stateType === 'Fail', // a Fail state fails as it is entered
        aborted: false,
      };
      if (stateType !== 'Task' && stateType !== 'Parallel' && stateType !== 'Map')
        entry.attempts.push({ startedEventId: id });
      entries.push(entry);
      open.add(entry);
      if (!byName.has(name)) {
        byName.set(name, []);
        eventIds.set(name, []);
      }
      byName.get(name)?.push(entry);
      belongs(event, entry);
      if (stateType === 'Fail') {
        const attempt = lastAttempt(entry);
        if (attempt) attempt.endedEventId = id;
        close(entry, 'failed');
      }
      continue;
    }

    if (exited && type.endsWith('StateExited')) {
      const name = exited.name ?? '';
      // The entry whose last event caused this one (a Task's TaskSucceeded or TaskFailed, a Pass's Entered),
      // or for a Parallel or Map the one around the branch event that caused it; failing that (a history
      // that starts mid-way), the oldest open entry of that name.
      const cause = causeOf(event);
      const around = ancestorNamed(cause, name);
      const entry = around && open.has(around) ? around : [...open].find((e) => e.name === name);
      if (!entry) continue;
      belongs(event, entry);
      entry.output = exited.output;
      const attempt = lastAttempt(entry);
      if (attempt && attempt.endedEventId === undefined) attempt.endedEventId = id;
      if (entry.failing) {
        // Caught: the Catch's result (at its ResultPath) holds {Error, Cause} when nothing else said it.
        if (entry.error === undefined) Object.assign(entry, catchResultIn(exited.output));
        blame(entry.attempts.at(-1)?.endedEventId ?? id, entry.error, entry.cause);
        close(entry, 'caught');
      } else close(entry, 'succeeded');
      continue;
    }

    if (type === 'TaskScheduled') {
      const entry = causeOf(event);
      belongs(event, entry);
      if (!entry) continue;
      entry.attempts.push({ startedEventId: id });
      entry.failing = false; // a retry: the failure before it was not the last word
      continue;
    }

    if (type === 'ParallelStateStarted' || type === 'MapStateStarted') {
      const entry = compositeOf(event, type.startsWith('Parallel') ? 'Parallel' : 'Map');
      belongs(event, entry);
      if (!entry) continue;
      const previous = lastAttempt(entry);
      if (previous && previous.endedEventId === undefined) {
        // A retry: the attempt before ended with the event that failed its branch.
        failedFor(event, entry);
        previous.endedEventId = event.previousEventId ?? id;
        Object.assign(previous, failureBehind(event));
      }
      entry.attempts.push({ startedEventId: id });
      entry.failing = false;
      continue;
    }

    if (/^(Parallel|Map)State(Succeeded|Failed)$/.test(type)) {
      const entry = compositeOf(event, type.startsWith('Parallel') ? 'Parallel' : 'Map');
      belongs(event, entry);
      if (!entry) continue;
      const attempt = lastAttempt(entry);
      if (attempt) attempt.endedEventId = id;
      if (type.endsWith('Failed')) {
        failedFor(event, entry);
        const failure = failureBehind(event);
        if (attempt) Object.assign(attempt, failure);
        Object.assign(entry, failure);
        entry.failing = true;
      }
      continue;
    }

    if (type.startsWith('MapIteration')) {
      // Each iteration's events belong to the Map state (details name it), whatever caused them.
      const details =
        event.mapIterationStartedEventDetails ??
        event.mapIterationSucceededEventDetails ??
        event.mapIterationFailedEventDetails ??
        event.mapIterationAbortedEventDetails;
      const entry =
        (type === 'MapIterationStarted' ? causeOf(event) : ancestorNamed(causeOf(event), details?.name)) ??
        [...open].reverse().find((e) => e.name === details?.name);
      if (type === 'MapIterationFailed' && entry) failedFor(event, entry);
      belongs(event, entry);
      continue;
    }

    if (type.endsWith('StateAborted')) {
      const entry = abortedBy(event, type.slice(0, -'StateAborted'.length));
      if (!entry) continue;
      belongs(event, entry);
      const attempt = lastAttempt(entry);
      if (attempt && attempt.endedEventId === undefined) attempt.endedEventId = id;
      // A state that failed its own branch is aborted too (after its TaskFailed): that is its failure.
      if (!entry.failing) entry.aborted = true;
      close(entry, 'failed');
      continue;
    }

    if (type === 'ExecutionFailed') {
      ended = true;
      const { error, cause } = event.executionFailedEventDetails ?? {};
      failedFor(event, undefined);
      blame(event.previousEventId ?? 0, error, cause);
      continue;
    }

    if (type === 'ExecutionAborted' || type === 'ExecutionTimedOut') {
      ended = true;
      const details =
        type === 'ExecutionAborted'
          ? event.executionAbortedEventDetails
          : event.executionTimedOutEventDetails;
      const error = details?.error ?? (type === 'ExecutionTimedOut' ? 'States.Timeout' : undefined);
      for (const entry of [...open]) {
        const attempt = lastAttempt(entry);
        if (attempt && attempt.endedEventId === undefined) attempt.endedEventId = id;
        entry.aborted = !entry.failing;
        if (entry.error === undefined) Object.assign(entry, defined({ error, cause: details?.cause }));
        close(entry, 'failed');
      }
      continue;
    }

    if (TERMINAL.test(type)) {
      ended = true;
      continue;
    }

    // Every other event (TaskStarted, TaskSucceeded, TaskFailed, ...) belongs to the entry of its cause.
    const entry = causeOf(event);
    belongs(event, entry);
    if (!entry) continue;
    if (TASK_FAILURE.test(type)) {
      const failure = defined(errorOf(event) ?? {});
      const attempt = lastAttempt(entry);
      if (attempt) Object.assign(attempt, failure, { endedEventId: id });
      entry.error = failure.error;
      entry.cause = failure.cause;
      entry.failing = true;
    } else if (type === 'TaskSucceeded') {
      const attempt = lastAttempt(entry);
      if (attempt) attempt.endedEventId = id;
    }
  }

  // An ended execution leaves nothing running: what had failed and was not caught failed for good.
  if (ended)
    for (const entry of [...open]) {
      if (!entry.failing) entry.aborted = true;
      close(entry, 'failed');
    }

  const runs = new Map<string, StateRun>();
  for (const [name, all] of byName) runs.set(name, runOf(name, all, eventIds.get(name) ?? []));
  return runs;

  // --- helpers over the state above ---

  /** The Parallel or Map entry a newly entered state runs in, from what caused its Entered event. */
  function enclosingOf(entered: HistoryEvent): Entry | undefined {
    const prev = byId.get(entered.previousEventId ?? 0);
    const cause = causeOf(entered);
    if (!prev || !cause) return undefined; // previousEventId 0: the top level's first state
    // The first state of a branch or an iteration.
    if (prev.type === 'ParallelStateStarted' || prev.type === 'MapIterationStarted') return cause;
    // Otherwise a sibling's Exited (or a Catch's) caused it: the same scope as that sibling.
    return cause.within;
  }

  /**
   * The Parallel or Map entry an XStateStarted / Succeeded / Failed event is about. Its cause is the
   * state's own Entered (the first Started), or the last event inside it (Succeeded), or the event that
   * failed a branch (Failed, and the Started of a retry): so look from the cause outwards for the nearest
   * open Parallel (or Map) around it.
   */
  function compositeOf(event: HistoryEvent, kind: 'Parallel' | 'Map'): Entry | undefined {
    const prev = byId.get(event.previousEventId ?? 0);
    const cause = causeOf(event);
    const own =
      cause?.type === kind &&
      open.has(cause) &&
      (prev?.type === `${kind}StateEntered` ||
        prev?.type === `${kind}StateStarted` ||
        prev?.type?.startsWith('MapIteration'));
    if (cause && own) return cause;
    for (let e = cause?.within; e; e = e.within) if (e.type === kind && open.has(e)) return e;
    // A history that starts mid-way: the latest open one.
    return [...open].reverse().find((e) => e.type === kind);
  }

  /**
   * The entry an XStateAborted event cuts short. Its cause is either the entry's own failure (a Task that
   * failed its branch) or the event that failed a sibling branch; then the aborted entry is one still
   * open inside the nearest Parallel or Map around that failure. Each open entry is aborted once, so the
   * earliest entered still open is taken.
   */
  function abortedBy(event: HistoryEvent, type: string): Entry | undefined {
    const cause = causeOf(event);
    if (cause && cause.type === type && open.has(cause) && cause.failing) return cause;
    for (let scope = cause?.within ?? cause; scope; scope = scope.within) {
      const inside = entries.find((e) => e.type === type && open.has(e) && isWithin(e, scope));
      if (inside) return inside;
    }
    return entries.find((e) => e.type === type && open.has(e));
  }

  /** Walks back from the event that ended things: every failing entry on the way failed with this error. */
  function blame(fromEventId: number, error: string | undefined, cause: string | undefined) {
    for (let e = byId.get(fromEventId); e; e = byId.get(e.previousEventId ?? 0)) {
      const entry = entryOf.get(e.id ?? 0);
      if (entry && (entry.failing || entry.outcome === 'failed') && entry.error === undefined) {
        Object.assign(entry, defined({ error, cause }));
        const attempt = lastAttempt(entry);
        if (attempt && attempt.error === undefined) Object.assign(attempt, defined({ error, cause }));
      }
      if (!e.previousEventId) break;
    }
  }

  /**
   * An event that fails a branch, an iteration or the execution names, as its cause, the state that
   * failed. A Task has usually said so (TaskFailed, TaskStateAborted); a state that failed without an
   * event of its own (a Pass or Choice whose path matched nothing, a Task whose Parameters did) is still
   * open: it failed here, and was not merely cut short.
   */
  function failedFor(event: HistoryEvent, composite: Entry | undefined) {
    const culprit = causeOf(event);
    if (!culprit || culprit === composite || !open.has(culprit)) return;
    if (culprit.type === 'Parallel' || culprit.type === 'Map') {
      culprit.failing = true; // it is still the one whose XStateFailed or Exited comes next
      return;
    }
    close(culprit, 'failed');
  }

  /** The error of the entry whose failure caused this event (a failed Task's TaskFailed, say). */
  function failureBehind(event: HistoryEvent): { error?: string; cause?: string } {
    const cause = causeOf(event);
    return cause ? defined({ error: cause.error, cause: cause.cause }) : {};
  }
}

/** `entry` or the nearest entry around it named `name`. */
function ancestorNamed(entry: Entry | undefined, name: string | undefined): Entry | undefined {
  for (let e = entry; e; e = e.within) if (e.name === name) return e;
  return undefined;
}

function isWithin(entry: Entry, scope: Entry): boolean {
  for (let e = entry.within; e; e = e.within) if (e === scope) return true;
  return false;
}

/** The history sorted by id, each id once (pages read in either direction may overlap). */
function inIdOrder(history: readonly HistoryEvent[]): HistoryEvent[] {
  const seen = new Map<number, HistoryEvent>();
  const unnumbered: HistoryEvent[] = [];
  for (const event of history)
    if (event.id === undefined) unnumbered.push(event);
    else seen.set(event.id, event);
  return [...[...seen.values()].sort((a, b) => (a.id ?? 0) - (b.id ?? 0)), ...unnumbered];
}

/** The object without its undefined fields (so Object.assign never erases with undefined). */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The {Error, Cause} a Catch wrote into the state's output (at its ResultPath: anywhere in the JSON). */
function catchResultIn(output: string | undefined): { error?: string; cause?: string } {
  let value: unknown;
  try {
    value = JSON.parse(output ?? 'null');
  } catch {
    return {};
  }
  // Breadth first: the shallowest {Error} is the Catch's ResultPath, not something deeper in the input.
  const queue: unknown[] = [value];
  while (queue.length > 0) {
    const v = queue.shift();
    if (v === null || typeof v !== 'object') continue;
    const record = v as Record<string, unknown>;
    if (typeof record.Error === 'string')
      return defined({
        error: record.Error,
        cause: typeof record.Cause === 'string' ? record.Cause : undefined,
      });
    queue.push(...Object.values(record));
  }
  return {};
}

const SEVERITY: Readonly<Record<StateStatus, number>> = {
  'not-reached': 0,
  succeeded: 1,
  caught: 2,
  failed: 3,
  'in-progress': 4,
};

/** One state's run from its entries: see stateRuns for the rules. */
function runOf(name: string, all: readonly Entry[], eventIds: readonly number[]): StateRun {
  const last = all.at(-1) as Entry;
  // Inside a Parallel or Map: the entries of its latest attempt; at the top level: the latest entry.
  const current = last.within
    ? all.filter((e) => e.within === last.within && e.withinAttempt === last.within?.attempts.length)
    : [last];
  const counted = current.length > 0 ? current : [last];
  const statusOfEntry = (e: Entry): StateStatus => e.outcome ?? 'in-progress';
  const status = counted.map(statusOfEntry).reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
  // The latest entry with that status, preferring one that knows its error: when a Map iteration fails,
  // the engine may already have entered the same Fail state in the next iteration, which is then aborted
  // and is on no failure's path.
  const worst = counted.filter((e) => statusOfEntry(e) === status);
  const shown = worst.findLast((e) => e.error !== undefined) ?? (worst.at(-1) as Entry);
  const output = [...all].reverse().find((e) => e.output !== undefined)?.output;
  const showsError = status === 'failed' || status === 'caught';
  const attempts = all.flatMap((e) => e.attempts.map((a): StateAttempt => ({ ...a })));
  return {
    name,
    status,
    ...(all[0]?.input !== undefined ? { input: all[0].input } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(showsError ? defined({ error: shown.error, cause: shown.cause }) : {}),
    attempts,
    eventIds: [...eventIds].sort((a, b) => a - b),
    ...(status === 'failed' && shown.aborted ? { aborted: true } : {}),
  };
}
