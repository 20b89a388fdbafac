import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { openEventStream } from './open-event-stream.js';

/**
 * Server-Sent Events: one summary a second to every subscriber. One computation per tick is shared by all
 * open streams; the timer runs only while someone listens.
 */
export class SummaryStream<T> {
  private readonly clients = new Set<(data: string) => void>();
  private readonly responses = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(
    private readonly compute: () => Promise<T>,
    private readonly intervalMs = 1_000,
  ) {}

  get subscribers(): number {
    return this.clients.size;
  }

  handle(request: FastifyRequest, reply: FastifyReply): void {
    const res = openEventStream(reply, 2000);
    const send = (data: string): void => {
      res.write(data);
    };
    this.clients.add(send);
    this.responses.add(res);
    const close = (): void => {
      this.clients.delete(send);
      this.responses.delete(res);
      if (this.clients.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
    request.raw.on('close', close);
    res.on('error', close);
    void this.push(new Set([send]));
    this.timer ??= setInterval(() => void this.push(this.clients), this.intervalMs);
  }

  private async push(to: Set<(data: string) => void>): Promise<void> {
    if (to.size === 0) return;
    let frame: string;
    try {
      frame = `id: ${++this.seq}\nevent: summary\ndata: ${JSON.stringify(await this.compute())}\n\n`;
    } catch (err) {
      frame = `event: error\ndata: ${JSON.stringify({ message: String((err as Error).message ?? err) })}\n\n`;
    }
    for (const send of to) send(frame);
  }

  /** Ends every open stream (server shutdown must not wait for dashboards to disconnect). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clients.clear();
    for (const res of this.responses) res.end();
    this.responses.clear();
  }
}
