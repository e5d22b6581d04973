/** A file of the execution viewer, by request path; undefined when the path is not the viewer's. */
export function viewerFile(_path: string): { contentType: string; body: string | Buffer } | undefined {
  return undefined;
}
