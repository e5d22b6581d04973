/**
 * Serves the execution viewer from the runtime's own port: the page, its stylesheet, and app.ts bundled
 * with esbuild (dagre included) on first request, so the page needs no network beyond the runtime and no
 * build step before `npm start`. Each file is built or read once and kept in memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

export interface ViewerFile {
  readonly contentType: string;
  readonly body: string;
}

/** Remembers the first result of `make` (a failure is not remembered: the next request tries again). */
function once(make: () => ViewerFile): () => ViewerFile {
  let made: ViewerFile | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

const page = once(() => ({
  contentType: 'text/html; charset=utf-8',
  body: readFileSync(join(__dirname, 'page', 'index.html'), 'utf8'),
}));

const style = once(() => ({
  contentType: 'text/css; charset=utf-8',
  body: readFileSync(join(__dirname, 'page', 'style.css'), 'utf8'),
}));

const script = once(() => {
  const { outputFiles } = buildSync({
    entryPoints: [join(__dirname, 'page', 'app.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    // Kept readable: it is served from localhost, where size does not matter and devtools do.
    minify: false,
    logLevel: 'silent',
    // The data flow view runs the interpreter's path functions, whose intrinsics import node:crypto.
    alias: { 'node:crypto': join(__dirname, 'page', 'node-crypto.ts') },
  });
  return { contentType: 'text/javascript; charset=utf-8', body: outputFiles[0]?.text ?? '' };
});

/**
 * The viewer's files by request path. The page routes on the URL hash (`#/execution/<arn>`), so `/` is
 * its only HTML path; every other path is left to the AWS APIs.
 */
const FILES: Readonly<Record<string, () => ViewerFile>> = {
  '/': page,
  '/index.html': page,
  '/viewer/app.js': script,
  '/viewer/style.css': style,
};

/** A file of the execution viewer, by request path; undefined when the path is not the viewer's. */
export function viewerFile(path: string): ViewerFile | undefined {
  return Object.hasOwn(FILES, path) ? FILES[path]?.() : undefined;
}
