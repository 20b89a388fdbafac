import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook<T> {
  headers: IncomingHttpHeaders;
  body: T;
}

export interface WebhookReceiver<T = any> {
  /** Where to POST, e.g. http://127.0.0.1:PORT/hook. */
  url: string;
  /** Every request received so far, its JSON body parsed. */
  received: ReceivedHook<T>[];
  close(): Promise<void>;
}

/** A local HTTP server that records JSON POSTs (webhook deliveries) and answers 204. */
export async function startWebhookReceiver<T = any>(path = '/hook'): Promise<WebhookReceiver<T>> {
  const received: ReceivedHook<T>[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) as T });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
