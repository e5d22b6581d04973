/**
 * An EventBridge event as rules and targets see it. Its own module, free of Node APIs, because the viewer's
 * page (browser code) reads events in this shape too.
 */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}
