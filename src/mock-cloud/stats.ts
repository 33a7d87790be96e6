// What the mock cloud saw: every request (with headers and body), counts per route, and the distinct
// Accept / User-Agent / Content-Type values per route, so tests can assert what a client sent.
import type { IncomingHttpHeaders } from "node:http";
import type { RouteId } from "./faults.js";

export interface RecordedRequest {
  method: string;
  /** Path with query string, as sent. */
  path: string;
  route: RouteId;
  headers: IncomingHttpHeaders;
  body: string;
  /** Mock-clock time of arrival. */
  at: Date;
  /** True when an injected fault handled (or delayed) this request. */
  faulted: boolean;
}

export interface HeadersSeen {
  accept: string[];
  userAgent: string[];
  contentType: string[];
}

export class MockStats {
  readonly requests: RecordedRequest[] = [];
  /** Requests per route. */
  readonly counts: Partial<Record<RouteId, number>> = {};
  /** Headers of the most recent request per route. */
  readonly lastHeaders: Partial<Record<RouteId, IncomingHttpHeaders>> = {};
  /** Distinct values seen per route, in order of first appearance. */
  readonly headersSeen: Partial<Record<RouteId, HeadersSeen>> = {};
  /** Successful signups. */
  signups = 0;
  /** Successful token refreshes (POST /api/oauth/token answered 200). */
  refreshes = 0;

  record(r: RecordedRequest): void {
    this.requests.push(r);
    this.counts[r.route] = (this.counts[r.route] ?? 0) + 1;
    this.lastHeaders[r.route] = r.headers;
    const seen = (this.headersSeen[r.route] ??= { accept: [], userAgent: [], contentType: [] });
    const add = (list: string[], v: string | undefined): void => {
      if (v !== undefined && !list.includes(v)) list.push(v);
    };
    add(seen.accept, r.headers["accept"]);
    add(seen.userAgent, r.headers["user-agent"]);
    add(seen.contentType, r.headers["content-type"]);
  }

  count(route: RouteId): number {
    return this.counts[route] ?? 0;
  }

  /** Requests for one route, oldest first. */
  of(route: RouteId): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  reset(): void {
    this.requests.length = 0;
    for (const k of Object.keys(this.counts) as RouteId[]) delete this.counts[k];
    for (const k of Object.keys(this.lastHeaders) as RouteId[]) delete this.lastHeaders[k];
    for (const k of Object.keys(this.headersSeen) as RouteId[]) delete this.headersSeen[k];
    this.signups = 0;
    this.refreshes = 0;
  }
}
