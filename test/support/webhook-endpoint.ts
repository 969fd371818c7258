import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/**
 * A partner's webhook receiver on a loopback port: records every request it gets (headers and
 * exact body bytes) and answers with whatever `respond` says, so a test can make the partner
 * accept, refuse or fail. `close()` takes it off the network (connections are refused), `open()`
 * brings it back on the same port.
 */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export type Responder = (req: ReceivedRequest) => { status: number; body?: string } | Promise<{ status: number; body?: string }>;

export class WebhookEndpoint {
  readonly received: ReceivedRequest[] = [];
  respond: Responder = () => ({ status: 204 });
  port = 0;
  #server: Server | undefined;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/tracehub`;
  }

  async open(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
        this.received.push(r);
        void Promise.resolve(this.respond(r)).then(({ status, body }) => res.writeHead(status, { 'content-type': 'text/plain' }).end(body ?? ''));
      });
    });
    // No keep-alive between tests that close the endpoint: a closed endpoint must refuse at once.
    server.keepAliveTimeout = 1;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    this.#server = server;
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Requests whose JSON body has the given correlation id (or header). */
  for(correlationId: string): ReceivedRequest[] {
    return this.received.filter((r) => r.headers['x-tracehub-correlation-id'] === correlationId);
  }
}
