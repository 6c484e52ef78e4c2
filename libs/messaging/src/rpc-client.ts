import { headers, RequestError, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import { PaasError, type Names, type RpcContract } from '@paas/contracts';
import { currentTraceHeaders, inSpan, SpanKind, trace } from '@paas/telemetry';

/** What travels back on a request/reply: the answer, or a typed error. */
export type RpcReply = { ok: true; data: unknown } | { ok: false; error: { id: PaasError['id']; message: string } };

/** Sends commands and queries to the owning service and turns failures into typed errors. */
export class RpcClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly n: Names,
    private readonly service: string,
    private readonly timeoutMs: number,
  ) {}

  async request<Req, Res>(contract: RpcContract<Req, Res>, request: Req, opts: { timeoutMs?: number } = {}): Promise<Res> {
    const body = contract.request.parse(request);
    const timeout = opts.timeoutMs ?? this.timeoutMs;
    const tracer = trace.getTracer(this.service);
    return inSpan(tracer, `${contract.service}.${contract.name}`, { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'nats', 'rpc.service': contract.service, 'rpc.method': contract.name } }, async () => {
      const h = headers();
      for (const [k, v] of Object.entries(currentTraceHeaders())) h.set(k, v);
      let raw: string;
      try {
        const msg = await this.nc.request(this.n.rpcSubject(contract.service, contract.name), JSON.stringify(body), { timeout, headers: h });
        raw = msg.string();
      } catch (err) {
        throw translate(err, contract, timeout);
      }
      const reply = JSON.parse(raw) as RpcReply;
      if (!reply.ok) throw new PaasError(reply.error.id, reply.error.message);
      return contract.response.parse(reply.data);
    });
  }
}

function translate(err: unknown, c: RpcContract<unknown, unknown>, timeout: number): PaasError {
  if (err instanceof RequestError && err.isNoResponders()) {
    return new PaasError('unavailable', `The ${c.service} service is not running (nobody answered ${c.name}).`);
  }
  if (err instanceof TimeoutError || (err instanceof Error && /timeout/i.test(err.message))) {
    return new PaasError('timeout', `The ${c.service} service did not answer ${c.name} within ${timeout} ms.`);
  }
  return new PaasError('unavailable', `Asking the ${c.service} service for ${c.name} failed: ${(err as Error).message}`);
}
