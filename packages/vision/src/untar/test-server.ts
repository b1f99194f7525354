/**
 * A real HTTP server on loopback for the download tests: serves in-memory bodies and can
 * misbehave on purpose (cut the connection halfway, stall, redirect, answer 404).
 * Test-only (excluded from the build by the `src/**\/test-*.ts` pattern).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How one path answers. */
export interface Route {
  body?: Uint8Array;
  status?: number;
  headers?: Record<string, string>;
  /** Destroy the socket after sending this many body bytes (Content-Length still announces all). */
  cutAfter?: number;
  /** Send this many bytes, then go silent without closing. */
  stallAfter?: number;
  /** Answer 302 with this Location. */
  redirectTo?: string;
  /** Omit Content-Length and close the connection after the body (HTTP/1.0 style framing). */
  noLength?: boolean;
}

/** A running server: set routes any time; `requests` logs the paths asked for. */
export interface TestServer {
  routes: Map<string, Route>;
  requests: string[];
  url(path: string): string;
  close(): Promise<void>;
}

function answer(route: Route | undefined, req: IncomingMessage, res: ServerResponse): void {
  if (route === undefined) {
    res.writeHead(404, { "content-type": "text/plain" }).end(`no route for ${req.url}`);
    return;
  }
  if (route.redirectTo !== undefined) {
    res.writeHead(302, { location: route.redirectTo }).end();
    return;
  }
  const body = route.body ?? new Uint8Array();
  const headers: Record<string, string> = { "content-type": "application/octet-stream", ...route.headers };
  if (!route.noLength) headers["content-length"] = String(body.length);
  else headers.connection = "close";
  res.writeHead(route.status ?? 200, headers);
  if (route.cutAfter !== undefined) {
    res.write(body.subarray(0, route.cutAfter), () => {
      setTimeout(() => req.socket.destroy(), 20);
    });
    return;
  }
  if (route.stallAfter !== undefined) {
    res.write(body.subarray(0, route.stallAfter));
    return;
  }
  res.end(body);
}

/** Starts a server on 127.0.0.1 and an OS-chosen port. */
export async function startServer(routes: Record<string, Route> = {}): Promise<TestServer> {
  const table = new Map(Object.entries(routes));
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push(path);
    answer(table.get(path), req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    routes: table,
    requests,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
