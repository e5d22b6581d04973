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
