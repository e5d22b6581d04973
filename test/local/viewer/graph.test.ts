import type { LocalApp } from '../../../local/app';
import {
  drawingSize,
  GRAPH_METRICS,
  type GraphEdge,
  type GraphNode,
  graphPaneWidth,
  type LaidOutGraph,
  layoutStateMachine,
  MIN_LABEL_PX,
  READABLE_ZOOM,
  SCROLL_BAR_PX,
  summarizeRule,
} from '../../../local/viewer/graph';
import { startApp } from '../../support/local';

/** The ASL fields these tests walk. */
interface Machine {
  StartAt: string;
  States: Record<string, State>;
}
interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Record<string, unknown>[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Branches?: Machine[];
  ItemProcessor?: Machine;
}

/** Every state of a machine with the Parallel or Map it sits in (undefined at the top level). */
function statesOf(machine: Machine, owner?: string): { name: string; state: State; owner?: string }[] {
  return Object.entries(machine.States).flatMap(([name, state]) => [
    { name, state, owner },
    ...(state.Branches ?? []).flatMap((branch) => statesOf(branch, name)),
    ...(state.ItemProcessor ? statesOf(state.ItemProcessor, name) : []),
  ]);
}

/**
 * The main path as the console draws it straight down: from StartAt, each state's Next, through a
 * Parallel's first branch, and a Choice's first rule.
 */
function mainPathOf(machine: Machine): string[] {
  const path: string[] = [];
  for (let name: string | undefined = machine.StartAt; name !== undefined && !path.includes(name); ) {
    const state = machine.States[name] as State;
    path.push(name);
    const [firstBranch] = state.Branches ?? [];
    if (firstBranch) path.push(...mainPathOf(firstBranch));
    name = state.Type === 'Choice' ? (state.Choices?.[0]?.Next as string | undefined) : state.Next;
  }
  return path;
}

const isCluster = (n: GraphNode) => n.type === 'Branch';
const overlaps = (a: GraphNode, b: GraphNode) =>
  Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;
const contains = (outer: GraphNode, inner: GraphNode) =>
  inner.x - inner.width / 2 >= outer.x - outer.width / 2 &&
  inner.x + inner.width / 2 <= outer.x + outer.width / 2 &&
  inner.y - inner.height / 2 >= outer.y - outer.height / 2 &&
  inner.y + inner.height / 2 <= outer.y + outer.height / 2;

type Point = { x: number; y: number };
/** Whether the straight run from a to b passes through the inside of a box (its border excluded). */
function crosses(a: Point, b: Point, box: GraphNode): boolean {
  const inset = 0.5;
  const left = box.x - box.width / 2 + inset;
  const right = box.x + box.width / 2 - inset;
  const top = box.y - box.height / 2 + inset;
  const bottom = box.y + box.height / 2 - inset;
  return (
    Math.max(a.x, b.x) > left &&
    Math.min(a.x, b.x) < right &&
    Math.max(a.y, b.y) > top &&
    Math.min(a.y, b.y) < bottom
  );
}

/** What every laid-out graph must be: finite, inside its bounds, boxes apart, children in their clusters. */
function expectDrawable(graph: LaidOutGraph) {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  expect(byId.size).toBe(graph.nodes.length);
  for (const n of graph.nodes) {
    for (const v of [n.x, n.y, n.width, n.height]) expect(Number.isFinite(v)).toBe(true);
    expect(n.width).toBeGreaterThan(0);
    expect(n.x - n.width / 2).toBeGreaterThanOrEqual(0);
    expect(n.x + n.width / 2).toBeLessThanOrEqual(graph.width);
    expect(n.y + n.height / 2).toBeLessThanOrEqual(graph.height);
    if (n.parent !== undefined) {
      const cluster = byId.get(n.parent) as GraphNode;
      expect(isCluster(cluster)).toBe(true);
      expect(contains(cluster, n)).toBe(true);
    }
  }
  const boxes = graph.nodes.filter((n) => !isCluster(n));
  for (const [i, a] of boxes.entries())
    for (const b of boxes.slice(i + 1)) {
      if (overlaps(a, b)) throw new Error(`"${a.id}" and "${b.id}" overlap`);
    }
  // Sibling clusters (a Parallel's branches) do not overlap either.
  const clusters = graph.nodes.filter(isCluster);
  for (const [i, a] of clusters.entries())
    for (const b of clusters.slice(i + 1)) if (a.parent === b.parent) expect(overlaps(a, b)).toBe(false);
  for (const e of graph.edges) {
    expect(byId.has(e.from) && byId.has(e.to)).toBe(true);
    expect(e.points.length).toBeGreaterThanOrEqual(2);
    for (const p of e.points) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
  }
}

const edgesFrom = (graph: LaidOutGraph, from: string) => graph.edges.filter((e) => e.from === from);
const edge = (graph: LaidOutGraph, from: string, to: string, kind: string) =>
  graph.edges.find((e) => e.from === from && e.to === to && e.kind === kind);

describe('layoutStateMachine on the synthesized state machines', () => {
  let app: LocalApp;
  let machines: Map<string, Machine>;
  beforeAll(async () => {
    app = await startApp();
    machines = new Map(
      [...app.stepFunctions.stateMachines.values()].map((m) => [m.name, m.definition as unknown as Machine]),
    );
  });
  afterAll(() => app.stop());

  const kyc = () => machines.get('onboarding-kyc-kyc') as Machine;

  it('draws every state once, inside the branch cluster of its Parallel', () => {
    // Act
    const graph = layoutStateMachine(kyc());

    // Assess
    const states = statesOf(kyc());
    const stateNodes = graph.nodes.filter((n) => !['Start', 'End', 'Branch'].includes(n.type));
    expect(stateNodes.map((n) => n.id).sort()).toEqual(states.map((s) => s.name).sort());
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    for (const { name, state, owner } of states) {
      const node = byId.get(name) as GraphNode;
      expect(node).toMatchObject({ label: name, type: state.Type });
      if (owner === undefined) expect(node.parent).toBeUndefined();
      else expect(byId.get(node.parent ?? '')).toMatchObject({ type: 'Branch', owner });
    }
    // The KYC checks: one cluster per branch, in branch order left to right.
    const checks = 'Run identity and sanctions checks';
    const branches = graph.nodes.filter((n) => n.owner === checks);
    expect(branches.map((b) => b.type)).toEqual(['Branch', 'Branch']);
    expect(byId.get('Verify identity')?.parent).toBe(branches[0]?.id);
    expect(byId.get('Screen sanctions')?.parent).toBe(branches[1]?.id);
    expect(branches[0]?.x).toBeLessThan(branches[1]?.x ?? 0);
  });

  it('starts at a Start marker and ends every terminal state in one End marker', () => {
    for (const [name, definition] of machines) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess
      const start = graph.nodes.filter((n) => n.type === 'Start');
      const end = graph.nodes.filter((n) => n.type === 'End');
      expect([name, start.length, end.length]).toEqual([name, 1, 1]);
      expect(edgesFrom(graph, start[0]?.id ?? '')).toMatchObject([{ to: definition.StartAt, kind: 'next' }]);
      const endId = end[0]?.id ?? '';
      const terminals = Object.entries(definition.States)
        .filter(([, s]) => s.End || s.Type === 'Succeed' || s.Type === 'Fail')
        .map(([n]) => n);
      expect(terminals.length).toBeGreaterThan(0);
      const intoEnd = graph.edges.filter((e) => e.to === endId).map((e) => e.from);
      expect(intoEnd.sort()).toEqual(terminals.sort());
    }
  });

  it('draws each Choice rule, Default and Catch as a labelled edge', () => {
    for (const definition of machines.values()) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess
      for (const { name, state } of statesOf(definition)) {
        for (const rule of state.Choices ?? []) {
          const e = edge(graph, name, String(rule.Next), 'choice');
          expect(e?.title).toContain(summarizeRule(rule));
          expect(e?.label).toEqual(expect.any(String));
          expect(Number.isFinite(e?.labelX) && Number.isFinite(e?.labelY)).toBe(true);
        }
        if (state.Default) expect(edge(graph, name, state.Default, 'default')).toBeDefined();
        for (const catcher of state.Catch ?? []) {
          const e = edge(graph, name, catcher.Next, 'catch');
          for (const error of catcher.ErrorEquals) expect(e?.title).toContain(error);
        }
        if (state.Next && state.Type !== 'Parallel')
          expect(edge(graph, name, state.Next, 'next')).toBeDefined();
      }
    }
    // The rule summaries read like the ASL in the title; the label keeps what tells a Choice's edges
    // apart (the paths' last fields and the values), short enough not to widen the graph.
    const graph = layoutStateMachine(kyc());
    expect(edge(graph, 'Decide', 'Record approval', 'choice')).toMatchObject({
      title: '$.assessment.Payload.decision == "approved"',
      label: '…decision == "approved"',
    });
    expect(edge(graph, 'Compare versions', 'Duplicate', 'choice')?.title).toBe(
      '$.stored.storedVersion == $.detail.version',
    );
    expect(edge(graph, 'Compare versions', 'Duplicate', 'choice')?.label?.length).toBeLessThanOrEqual(
      GRAPH_METRICS.ruleLabelMaxChars,
    );
    expect(edge(graph, 'Decide', 'Unknown decision', 'default')?.label).toBeUndefined();
    // An emit's FailedEntry and States.ALL catchers park the same entry: one edge, both names.
    expect(edge(graph, 'Emit Risk Assessed', 'Park undelivered Risk Assessed', 'catch')?.label).toBe(
      'EventBridge.FailedEntry, States.ALL',
    );
    // A long error name loses its service's prefix, not its end.
    expect(edge(graph, 'Claim version', 'Read stored version', 'catch')).toMatchObject({
      title: 'DynamoDB.ConditionalCheckFailedException',
      label: 'ConditionalCheckFailedException',
    });
  });

  it("fans a Parallel out to its branches and its branches' ends into its Next", () => {
    // Act
    const graph = layoutStateMachine(kyc());

    // Assess
    const checks = 'Run identity and sanctions checks';
    const next = kyc().States[checks]?.Next ?? '';
    for (const branch of kyc().States[checks]?.Branches ?? []) {
      expect(edge(graph, checks, branch.StartAt, 'next')).toBeDefined();
      for (const [name, state] of Object.entries(branch.States))
        if (state.End) expect(edgesFrom(graph, name)).toMatchObject([{ to: next, kind: 'next' }]);
    }
    // Its own Next would skip the branches; its Catch starts from the Parallel itself, as a link to the
    // handler that Assess risk's Catch reaches all the way (drawn from the Parallel, that edge would
    // pass every state between them).
    expect(edge(graph, checks, next, 'next')).toBeUndefined();
    expect(edge(graph, checks, 'Reject invalid trigger', 'catch')).toMatchObject({
      title: 'InvalidInput',
      link: expect.any(Object),
    });
    expect(edge(graph, 'Assess risk', 'Reject invalid trigger', 'catch')?.label).toBe('InvalidInput');
  });

  it('lays every state machine out top to bottom, finite and with no box over another', () => {
    for (const definition of machines.values()) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess
      expectDrawable(graph);
      const byId = new Map(graph.nodes.map((n) => [n.id, n]));
      const start = graph.nodes.find((n) => n.type === 'Start') as GraphNode;
      const end = graph.nodes.find((n) => n.type === 'End') as GraphNode;
      for (const n of graph.nodes) {
        if (n === start || n === end) continue;
        expect(n.y).toBeGreaterThan(start.y);
        expect(n.y).toBeLessThan(end.y);
      }
      expect(byId.get(definition.StartAt)?.y).toBeGreaterThan(start.y);
    }
  });

  it('draws the main path straight down, from Start through the first Choice rule to End', () => {
    for (const name of ['onboarding-kyc-access-change', 'onboarding-kyc-onboarding', 'onboarding-kyc-kyc']) {
      // Prepare
      const definition = machines.get(name) as Machine;

      // Act
      const graph = layoutStateMachine(definition);

      // Assess
      const byId = new Map(graph.nodes.map((n) => [n.id, n]));
      const marker = (type: string) => graph.nodes.find((n) => n.type === type) as GraphNode;
      const path = [marker('Start'), ...mainPathOf(definition).map((s) => byId.get(s)), marker('End')];
      expect(path.length).toBeGreaterThan(6);
      const [start] = path as GraphNode[];
      for (const [i, node] of (path as GraphNode[]).entries()) {
        expect([name, node.id, Math.abs(node.x - (start?.x ?? 0)) <= 1]).toEqual([name, node.id, true]);
        if (i > 0) expect(node.y).toBeGreaterThan(path[i - 1]?.y ?? 0);
      }
    }
  });

  it('fits every state machine across the graph pane of a 1440 px window with names of at least 11 px', () => {
    // Prepare: the pane the execution page gives the graph in a 1440 px window with a classic scroll bar
    // (the narrowest it gets there; the browser test checks the page's pane is this wide).
    const pane = graphPaneWidth(1440 - SCROLL_BAR_PX, 1440);
    expect(pane).toBeGreaterThan(800);
    for (const [name, definition] of machines) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess: drawn at the least zoom that keeps names MIN_LABEL_PX tall, the whole width fits.
      expect(READABLE_ZOOM * GRAPH_METRICS.nodeFontSize).toBeCloseTo(MIN_LABEL_PX, 5);
      expect([name, drawingSize(graph).width * READABLE_ZOOM <= pane]).toEqual([name, true]);
    }
  });

  it('puts every error handler and every outcome close to the states that reach it', () => {
    for (const [name, definition] of machines) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess
      const byId = new Map(graph.nodes.map((n) => [n.id, n]));
      const boxes = graph.nodes.filter((n) => !isCluster(n));
      const rows = [...new Set(boxes.map((n) => Math.round(n.y)))].sort((a, b) => a - b);
      const row = (n: GraphNode) => rows.indexOf(Math.round(n.y));
      const widest = Math.max(...boxes.map((n) => n.width));
      /** Rows down from `from` to `to`, and the room between their boxes across. */
      const apart = (from: GraphNode, to: GraphNode) => ({
        rows: row(to) - row(from),
        across: Math.max(0, Math.abs(from.x - to.x) - (from.width + to.width) / 2),
      });
      const terminal = (id: string) =>
        graph.edges.every((e) => e.from !== id || e.stub || byId.get(e.to)?.type === 'End');
      for (const e of graph.edges) {
        const from = byId.get(e.from) as GraphNode;
        const to = byId.get(e.to) as GraphNode;
        if (e.kind === 'catch' && e.link) continue; // a chip beside its state (tested above)
        const outcome = e.kind !== 'catch' && !isCluster(to) && to.type !== 'End' && terminal(e.to);
        if (e.kind !== 'catch' && !outcome) continue;
        const { rows: down, across } = apart(from, to);
        const what = `${name}: ${e.from} -> ${e.to}`;
        // Level with it (a ladder's park, a side's handler) or at most three rows of states lower, and
        // at most three boxes' widths across (the farthest: access-change's Read stored version, whose
        // versions check hangs right of the blocked and unblocked columns below the claim).
        expect([what, down >= 0 && down <= 3]).toEqual([what, true]);
        expect([what, across <= 3 * widest]).toEqual([what, true]);
        // No dashed edge crosses the graph: its route spans less than half the drawing's width and a third
        // of its height. The longest: onboarding's Record welcome message requested -> Superseded, three
        // rows down, as a second put stands beside that state where a chip would go.
        const xs = e.points.map((p) => p.x);
        const ys = e.points.map((p) => p.y);
        expect([what, Math.max(...xs) - Math.min(...xs) < graph.width / 2]).toEqual([what, true]);
        expect([what, Math.max(...ys) - Math.min(...ys) < graph.height / 3]).toEqual([what, true]);
      }
    }
  });

  it('draws a Catch into a handler nobody else reaches level with its state, straight across', () => {
    for (const [name, definition] of machines) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess: the claim's Catch into Read stored version, in every workflow.
      const byId = new Map(graph.nodes.map((n) => [n.id, n]));
      const e = edge(graph, 'Claim version', 'Read stored version', 'catch') as GraphEdge;
      const from = byId.get(e.from) as GraphNode;
      const to = byId.get(e.to) as GraphNode;
      expect([name, to.y]).toEqual([name, from.y]);
      expect(e.points).toEqual([
        { x: from.x + from.width / 2, y: from.y },
        { x: to.x - to.width / 2, y: to.y },
      ]);
      // Nothing stands between them.
      for (const box of graph.nodes.filter((n) => !isCluster(n) && n !== from && n !== to))
        if (crosses(e.points[0] as Point, e.points[1] as Point, box))
          throw new Error(`${name}: the Catch into Read stored version passes behind ${box.id}`);
    }
  });

  it('routes every edge in straight runs, and none behind a box it does not join', () => {
    for (const [name, definition] of machines) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess
      // The states, the markers, and the chips of the links (all but the edge's own ends).
      const chips = graph.edges.flatMap((e) =>
        e.link ? [{ ...e.link, id: `the chip of ${e.from} -> ${e.to}`, owner: e.from }] : [],
      );
      const boxes = [...graph.nodes.filter((n) => !isCluster(n)), ...chips] as (GraphNode & {
        owner?: string;
      })[];
      for (const e of graph.edges) {
        const segments = e.points.slice(1).map((p, i) => [e.points[i] as Point, p] as const);
        for (const [a, b] of segments) {
          if (Math.abs(a.x - b.x) > 0.01 && Math.abs(a.y - b.y) > 0.01)
            throw new Error(`${name}: ${e.from} -> ${e.to} has a slanted run`);
          for (const box of boxes) {
            if (box.id === e.from || box.id === e.to || (box.owner === e.from && e.link)) continue;
            if (crosses(a, b, box)) throw new Error(`${name}: ${e.from} -> ${e.to} passes behind ${box.id}`);
          }
        }
      }
    }
  });

  it("draws each emit's failure handling as a ladder beside it: park level with the emit, second put level with the next state", () => {
    for (const definition of machines.values()) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess
      const byId = new Map(graph.nodes.map((n) => [n.id, n]));
      const emits = statesOf(definition).filter(({ name }) => byId.has(`Park undelivered ${name.slice(5)}`));
      expect(emits.length).toBeGreaterThan(0);
      for (const { name, state } of emits) {
        const emit = byId.get(name) as GraphNode;
        const park = byId.get(`Park undelivered ${name.slice(5)}`) as GraphNode;
        const again = byId.get(`${name} again`) as GraphNode;
        const next = byId.get(state.Next ?? '') as GraphNode;
        expect([name, park.y, again.y]).toEqual([name, emit.y, next.y]);
        // Under the park, where the next state is under the emit.
        if (Math.abs(emit.x - next.x) < 0.5) expect([name, again.x]).toEqual([name, park.x]);
        // Right beside them: one separation away, or what the wider of the other pair takes.
        const slack = 40 + Math.abs(emit.width - next.width) / 2 + Math.abs(park.width - again.width) / 2;
        const gaps = [
          park.x - park.width / 2 - (emit.x + emit.width / 2),
          again.x - again.width / 2 - (next.x + next.width / 2),
        ];
        expect(Math.min(...gaps)).toBeLessThanOrEqual(40);
        for (const gap of gaps) expect(gap).toBeLessThanOrEqual(slack);
        // The rungs: straight across, the Catch into the park and the second put back to the next state.
        const into = edge(graph, name, park.id, 'catch');
        const back = edge(graph, again.id, next.id, 'next');
        for (const rung of [into, back]) expect(new Set(rung?.points.map((p) => p.y)).size).toBe(1);
        expect(into?.label).toBe('EventBridge.FailedEntry, States.ALL');
      }
    }
  });

  it('draws one Catch into a shared handler all the way and the others as links to a chip beside their state', () => {
    for (const [name, definition] of machines) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess
      const byId = new Map(graph.nodes.map((n) => [n.id, n]));
      const intoSuperseded = graph.edges.filter((e) => e.to === 'Superseded');
      expect([name, intoSuperseded.filter((e) => !e.link).length]).toEqual([name, expect.any(Number)]);
      expect(intoSuperseded.filter((e) => !e.link).length).toBeGreaterThanOrEqual(1);
      for (const e of graph.edges.filter((x) => x.link)) {
        const from = byId.get(e.from) as GraphNode;
        const chip = e.link as NonNullable<GraphEdge['link']>;
        expect([e.from, chip.y]).toEqual([e.from, from.y]);
        expect(chip.x - chip.width / 2 - (from.x + from.width / 2)).toBeLessThanOrEqual(40);
        expect(e.points.at(-1)?.x).toBeCloseTo(chip.x - chip.width / 2);
        expect(e.kind).toBe('catch');
        // Inside the drawing, clear of every box.
        expect(chip.x + chip.width / 2).toBeLessThanOrEqual(graph.width);
        for (const box of graph.nodes.filter((n) => !isCluster(n)))
          if (overlaps(box, { ...box, ...chip } as GraphNode))
            throw new Error(`${name}: ${e.from}'s chip covers ${box.id}`);
      }
    }
    expect(
      layoutStateMachine(kyc()).edges.filter((e) => e.link && e.to === 'Superseded').length,
    ).toBeGreaterThan(3);
  });

  it('ends the main path at the End marker and every other end with a stub, and the marker below all', () => {
    for (const definition of machines.values()) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess
      const end = graph.nodes.find((n) => n.type === 'End') as GraphNode;
      const intoEnd = graph.edges.filter((e) => e.to === end.id);
      expect(intoEnd.filter((e) => !e.stub)).toHaveLength(1);
      const byId = new Map(graph.nodes.map((n) => [n.id, n]));
      for (const e of intoEnd.filter((x) => x.stub)) {
        const from = byId.get(e.from) as GraphNode;
        expect(e.points).toEqual([
          { x: from.x, y: from.y + from.height / 2 },
          { x: from.x, y: from.y + from.height / 2 + GRAPH_METRICS.endStubLength },
        ]);
      }
      for (const n of graph.nodes)
        if (n !== end) expect(n.y + n.height / 2).toBeLessThan(end.y - end.height / 2);
    }
  });

  it('wraps a long state name into lines its box fits', () => {
    const { nodeMaxLineChars, nodeCharWidth, nodeHeight, nodeLineHeight } = GRAPH_METRICS;
    for (const definition of machines.values()) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess
      for (const node of graph.nodes.filter((n) => !isCluster(n))) {
        expect(node.lines.join(' ')).toBe(node.label);
        for (const line of node.lines) {
          if (line.includes(' ')) expect(line.length).toBeLessThanOrEqual(nodeMaxLineChars);
          expect(node.width).toBeGreaterThanOrEqual(line.length * nodeCharWidth);
        }
        if (node.type !== 'Start' && node.type !== 'End')
          expect(node.height).toBe(nodeHeight + (node.lines.length - 1) * nodeLineHeight);
      }
      expect(graph.nodes.some((n) => n.lines.length > 1)).toBe(true);
    }
  });

  it('places every edge label inside the drawing, clear of the states and of the other labels', () => {
    for (const [name, definition] of machines) {
      // Act
      const graph = layoutStateMachine(definition);

      // Assess
      const labels = graph.edges.flatMap((e) =>
        e.label === undefined
          ? []
          : [
              {
                id: `${e.from} -> ${e.to}`,
                x: e.labelX ?? Number.NaN,
                y: e.labelY ?? Number.NaN,
                width: e.label.length * GRAPH_METRICS.edgeCharWidth,
                height: GRAPH_METRICS.edgeLabelHeight,
              },
            ],
      );
      const boxes = [...labels, ...graph.nodes.filter((n) => !isCluster(n))];
      for (const [i, label] of labels.entries()) {
        expect(label.x - label.width / 2).toBeGreaterThanOrEqual(0);
        expect(label.x + label.width / 2).toBeLessThanOrEqual(graph.width);
        for (const other of boxes.slice(i + 1))
          if (
            Math.abs(label.x - other.x) * 2 < label.width + other.width &&
            Math.abs(label.y - other.y) * 2 < label.height + other.height
          )
            throw new Error(`${name}: the label of ${label.id} covers ${other.id}`);
      }
    }
    // The Catch edges into a handler several states share say the same: labelled once, titled each.
    const graph = layoutStateMachine(kyc());
    const intoSuperseded = graph.edges.filter((e) => e.to === 'Superseded' && e.kind === 'catch');
    expect(intoSuperseded.length).toBeGreaterThan(3);
    expect(intoSuperseded.filter((e) => e.label !== undefined)).toHaveLength(1);
    for (const e of intoSuperseded) expect(e.title).toBe('DynamoDB.ConditionalCheckFailedException');
  });

  it('gives the same layout for the same definition, as an object or as its JSON', () => {
    // Act
    const first = layoutStateMachine(kyc());
    const again = layoutStateMachine(structuredClone(kyc()));
    const fromJson = layoutStateMachine(JSON.stringify(kyc()));

    // Assess
    expect(again).toEqual(first);
    expect(fromJson).toEqual(first);
  });
});

describe('layoutStateMachine on hand-written definitions', () => {
  it('draws a Map item processor as a cluster, nested Parallels inside branches, a Fail ending a branch', () => {
    // Prepare
    const definition = {
      StartAt: 'Each order',
      States: {
        'Each order': {
          Type: 'Map',
          ItemsPath: '$.orders',
          ItemProcessor: {
            StartAt: 'Check order',
            States: {
              'Check order': { Type: 'Pass', Next: 'Checks' },
              Checks: {
                Type: 'Parallel',
                End: true,
                Branches: [
                  { StartAt: 'Stock', States: { Stock: { Type: 'Succeed' } } },
                  { StartAt: 'Refuse', States: { Refuse: { Type: 'Fail', Error: 'Refused' } } },
                ],
              },
            },
          },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
          Next: 'Wait a bit',
        },
        'Wait a bit': { Type: 'Wait', Seconds: 1, Next: 'Done' },
        Failed: { Type: 'Fail', Error: 'OrdersFailed' },
        Done: { Type: 'Succeed' },
      },
    };

    // Act
    const graph = layoutStateMachine(definition);

    // Assess
    expectDrawable(graph);
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    const items = byId.get(byId.get('Check order')?.parent ?? '');
    expect(items).toMatchObject({ type: 'Branch', owner: 'Each order', label: 'Item processor' });
    expect(byId.get('Checks')?.parent).toBe(items?.id);
    // The nested Parallel's branch clusters sit inside the item processor's cluster.
    const inner = graph.nodes.filter((n) => n.owner === 'Checks');
    expect(inner.map((n) => n.parent)).toEqual([items?.id, items?.id]);
    for (const cluster of inner) expect(contains(items as GraphNode, cluster)).toBe(true);
    // Succeed in a branch leads where the Parallel leads, and as it ends its iteration, to the Map's Next.
    expect(edgesFrom(graph, 'Stock')).toMatchObject([{ to: 'Wait a bit', kind: 'next' }]);
    // A Fail in a branch fails the branch: no edge out. At the top level it ends the execution.
    expect(edgesFrom(graph, 'Refuse')).toEqual([]);
    expect(edgesFrom(graph, 'Failed')).toMatchObject([{ to: '(end)', kind: 'next' }]);
    expect(edge(graph, 'Each order', 'Check order', 'next')).toBeDefined();
    expect(edge(graph, 'Each order', 'Failed', 'catch')?.label).toBe('States.ALL');
    expect(edge(graph, 'Wait a bit', 'Done', 'next')).toBeDefined();
  });

  it('keeps marker and cluster ids apart from state names', () => {
    // Prepare: states named like the synthetic ids.
    const definition = {
      StartAt: '(start)',
      States: {
        '(start)': {
          Type: 'Parallel',
          Next: '(end)',
          Branches: [{ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }],
        },
        '(end)': { Type: 'Pass', Next: '((start) 1)' },
        '((start) 1)': { Type: 'Succeed' },
      },
    };

    // Act
    const graph = layoutStateMachine(definition);

    // Assess
    expectDrawable(graph);
    const markers = graph.nodes.filter((n) => n.type === 'Start' || n.type === 'End');
    expect(markers.map((n) => n.id)).toEqual(['(start)~', '(end)~']);
    expect(graph.nodes.find((n) => n.type === 'Branch')?.id).toBe('((start) 1)~');
    expect(edgesFrom(graph, '(start)~')).toMatchObject([{ to: '(start)' }]);
  });

  it('summarizes Choice rules of every form in one line', () => {
    expect(summarizeRule({ Variable: '$.decision', StringEquals: 'approved' })).toBe(
      '$.decision == "approved"',
    );
    expect(summarizeRule({ Variable: '$.score', NumericGreaterThan: 700 })).toBe('$.score > 700');
    expect(summarizeRule({ Variable: '$.score', NumericLessThanEqualsPath: '$.limit' })).toBe(
      '$.score <= $.limit',
    );
    expect(summarizeRule({ Variable: '$.vip', BooleanEquals: true })).toBe('$.vip == true');
    expect(summarizeRule({ Variable: '$.email', IsPresent: true })).toBe('$.email is present');
    expect(summarizeRule({ Variable: '$.email', IsPresent: false })).toBe('$.email is not present');
    expect(summarizeRule({ Variable: '$.name', StringMatches: 'A*' })).toBe('$.name matches "A*"');
    expect(
      summarizeRule({
        And: [
          { Variable: '$.a', NumericGreaterThanEquals: 1 },
          { Or: [{ Variable: '$.b', IsNull: true }, { Not: { Variable: '$.c', StringEquals: 'x' } }] },
        ],
      }),
    ).toBe('$.a >= 1 and ($.b is null or not ($.c == "x"))');
    expect(summarizeRule({ Condition: '{% $states.input.n > 1 %}' })).toBe('$states.input.n > 1');
  });

  it('rejects what is not ASL', () => {
    expect(() => layoutStateMachine({ States: {} })).toThrow(/StartAt and States/);
    expect(() => layoutStateMachine(null)).toThrow(TypeError);
  });
});
