import { createServer, type Server } from 'node:http';

/** A stand-in OTLP/HTTP collector (outside the system under test): keeps the service names it received spans from. */
export class OtlpCollector {
  readonly services = new Set<string>();
  spans = 0;
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<OtlpCollector> {
    let collector!: OtlpCollector;
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        try {
          collector.record(JSON.parse(body));
        } catch {
          // not JSON: not counted
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    collector = new OtlpCollector(server, `http://127.0.0.1:${port}`);
    return collector;
  }

  private record(payload: { resourceSpans?: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans?: { spans?: unknown[] }[] }[] }): void {
    for (const rs of payload.resourceSpans ?? []) {
      const name = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
      if (name) this.services.add(name);
      for (const ss of rs.scopeSpans ?? []) this.spans += ss.spans?.length ?? 0;
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
