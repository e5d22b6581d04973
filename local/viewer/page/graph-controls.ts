/**
 * What the graph's pane does besides showing the drawing: drag to pan, the wheel (or a pinch, which
 * browsers send as a wheel with ctrlKey) to zoom around the pointer, full screen, and export of the drawing
 * as SVG or PNG with its styles written into it, so the file looks as the page does without the stylesheet.
 */

/** How far the pointer moves before a press becomes a drag (a shorter move is a click on a state). */
const DRAG_THRESHOLD_PX = 4;

/**
 * Drag to pan the scrolling pane. A drag that moved swallows the click that ends it, so releasing the
 * pointer over a state after panning does not select it.
 */
export function dragToPan(scroll: HTMLElement): void {
  let start: { x: number; y: number; left: number; top: number; id: number } | undefined;
  let dragged = false;
  scroll.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    start = {
      x: event.clientX,
      y: event.clientY,
      left: scroll.scrollLeft,
      top: scroll.scrollTop,
      id: event.pointerId,
    };
    dragged = false;
  });
  scroll.addEventListener('pointermove', (event) => {
    if (!start || event.pointerId !== start.id) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    if (!dragged && Math.hypot(dx, dy) < DRAG_THRESHOLD_PX) return;
    if (!dragged) {
      dragged = true;
      scroll.setPointerCapture(event.pointerId);
      scroll.classList.add('panning');
    }
    scroll.scrollLeft = start.left - dx;
    scroll.scrollTop = start.top - dy;
  });
  const end = () => {
    start = undefined;
    scroll.classList.remove('panning');
  };
  scroll.addEventListener('pointerup', end);
  scroll.addEventListener('pointercancel', end);
  scroll.addEventListener(
    'click',
    (event) => {
      if (!dragged) return;
      dragged = false;
      event.stopPropagation();
      event.preventDefault();
    },
    true,
  );
}

/** The wheel zooms the drawing around the pointer: `zoomAt` gets the factor and the pointer's position. */
export function wheelToZoom(
  scroll: HTMLElement,
  zoomAt: (factor: number, x: number, y: number) => void,
): void {
  scroll.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      // A notch of a mouse wheel is about 100 px; a pinch sends small deltas, many of them.
      const factor = Math.exp(-event.deltaY / (event.ctrlKey ? 100 : 500));
      zoomAt(factor, event.clientX, event.clientY);
    },
    { passive: false },
  );
}

/** Puts the pane in full screen, or takes it out. */
export function toggleFullScreen(pane: HTMLElement): void {
  if (document.fullscreenElement === pane) void document.exitFullscreen();
  else void pane.requestFullscreen();
}

/** The style properties the drawing's look depends on, written into the exported copy. */
const EXPORTED_STYLES = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'text-anchor',
  'dominant-baseline',
  'visibility',
  'display',
];

/** The drawing as a standalone SVG document: each element's computed style inlined, at 100%. */
export function standaloneSvg(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll('*')];
  const copies = [copy, ...copy.querySelectorAll('*')];
  originals.forEach((original, i) => {
    const target = copies[i] as SVGElement | undefined;
    if (!target) return;
    const computed = getComputedStyle(original);
    const inline = EXPORTED_STYLES.map((p) => `${p}: ${computed.getPropertyValue(p)}`).join('; ');
    target.setAttribute('style', inline);
    target.removeAttribute('class');
  });
  const box = svg.viewBox.baseVal;
  copy.setAttribute('width', String(box.width));
  copy.setAttribute('height', String(box.height));
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
}

/** Downloads the drawing as `<name>.svg`. */
export function exportSvg(svg: SVGSVGElement, name: string): void {
  download(new Blob([standaloneSvg(svg)], { type: 'image/svg+xml' }), `${name}.svg`);
}

/** Downloads the drawing as `<name>.png`, at twice its size so that text stays sharp. */
export async function exportPng(svg: SVGSVGElement, name: string): Promise<void> {
  const box = svg.viewBox.baseVal;
  const scale = 2;
  const image = new Image();
  const url = URL.createObjectURL(new Blob([standaloneSvg(svg)], { type: 'image/svg+xml' }));
  try {
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(box.width * scale);
    canvas.height = Math.ceil(box.height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('The browser gave no 2D canvas to draw the PNG on.');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!png) throw new Error('The browser could not encode the PNG.');
    download(png, `${name}.png`);
  } finally {
    URL.revokeObjectURL(url);
  }
}

function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
