import net from 'node:net';

/** Called when a response is complete (status > 0) or the exchange failed (status 0, error kind). */
export type ExchangeDone = (status: number, errorKind: string | null) => void;

const CR = 13;
const LF = 10;
const enum State {
  Head,
  Body,
  Chunked,
  UntilClose,
}

/** Case-insensitive compare of `name` (lower-case ASCII) at buf[at]. */
function headerIs(buf: Buffer, at: number, end: number, name: string): boolean {
  if (end - at < name.length) return false;
  for (let i = 0; i < name.length; i++) if ((buf[at + i] | 0x20) !== name.charCodeAt(i)) return false;
  return true;
}

function headerValueStart(buf: Buffer, at: number, end: number): number {
  let i = at;
  while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
  return i;
}

/**
 * One keep-alive HTTP/1.1 connection sending the same pre-encoded request over and over, for the
 * `--url` hot loop over plain http. undici is the general client; this exists because the hot loop
 * must cost less CPU per request than autocannon, and a fixed request with a byte-level response
 * scanner (status, Content-Length, chunked, Connection: close) does far less work per exchange than
 * a general client can. Responses are consumed, not kept.
 */
export class RawHttp1Connection {
  private socket: net.Socket | undefined;
  private state = State.Head;
  private head: Buffer | undefined;
  private status = 0;
  private remaining = 0;
  private closeAfter = false;
  private chunkPhase = 0; // 0 size line, 1 data, 2 CRLF after data, 3 trailers
  private chunkLine = '';
  private inflight = false;
  private readonly readBuffer = Buffer.allocUnsafe(65536);

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly request: Buffer,
    private readonly headRequest: boolean,
    private readonly timeoutMs: number,
    private readonly onDone: ExchangeDone,
  ) {}

  /** Sends the request (connecting first when needed). */
  send(): void {
    this.inflight = true;
    this.state = State.Head;
    this.head = undefined;
    this.status = 0;
    if (!this.socket || this.socket.destroyed) this.connect();
    this.socket!.write(this.request);
  }

  close(): void {
    this.inflight = false;
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): void {
    // onread with one reusable buffer per connection: no Buffer allocated and no 'data' event per read.
    const socket = net.connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      onread: {
        buffer: this.readBuffer,
        callback: (n: number, buf: Uint8Array) => {
          this.onData(buf as Buffer, n);
          return true;
        },
      },
    });
    socket.setTimeout(this.timeoutMs);
    socket.on('timeout', () => this.fail('timeout'));
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(error.code ?? 'socket error'));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (!this.inflight) return;
      if (this.state === State.UntilClose) this.complete();
      else this.fail('ECONNRESET');
    });
    this.socket = socket;
  }

  private fail(kind: string): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    if (!this.inflight) return;
    this.inflight = false;
    this.onDone(0, kind);
  }

  private complete(): void {
    this.inflight = false;
    if (this.closeAfter) {
      this.socket?.destroy();
      this.socket = undefined;
    }
    this.onDone(this.status, null);
  }

  private onData(full: Buffer, n: number): void {
    const chunk = n === full.length ? full : full.subarray(0, n);
    let at = 0;
    while (at < chunk.length && this.inflight) {
      switch (this.state) {
        case State.Head:
          at = this.readHead(chunk, at);
          break;
        case State.Body: {
          const take = Math.min(this.remaining, chunk.length - at);
          this.remaining -= take;
          at += take;
          if (this.remaining === 0) this.complete();
          break;
        }
        case State.Chunked:
          at = this.readChunked(chunk, at);
          break;
        case State.UntilClose:
          at = chunk.length;
          break;
      }
    }
  }

  private readHead(chunk: Buffer, from: number): number {
    let buf = chunk;
    let start = from;
    if (this.head) {
      buf = Buffer.concat([this.head, chunk.subarray(from)]);
      start = 0;
    }
    const end = buf.indexOf('\r\n\r\n', start, 'latin1');
    if (end < 0) {
      this.head = Buffer.from(buf.subarray(start));
      if (this.head.length > 65536) this.fail('response head too large');
      return chunk.length;
    }
    const consumed = this.head ? end + 4 - this.head.length + from : end + 4;
    this.head = undefined;
    this.status = (buf[start + 9] - 48) * 100 + (buf[start + 10] - 48) * 10 + (buf[start + 11] - 48);
    let length = -1;
    let chunked = false;
    this.closeAfter = buf[start + 7] === 48; // HTTP/1.0
    let line = buf.indexOf(LF, start) + 1;
    while (line > 0 && line < end) {
      const next = buf.indexOf(CR, line);
      const c = buf[line] | 0x20;
      if (c === 99 /* c */) {
        if (headerIs(buf, line, next, 'content-length:'))
          length = Number(buf.toString('latin1', headerValueStart(buf, line + 15, next), next));
        else if (headerIs(buf, line, next, 'connection:'))
          this.closeAfter = headerIs(buf, headerValueStart(buf, line + 11, next), next, 'close');
      } else if (c === 116 /* t */ && headerIs(buf, line, next, 'transfer-encoding:')) {
        chunked = buf
          .toString('latin1', line + 18, next)
          .toLowerCase()
          .includes('chunked');
      }
      line = next + 2;
    }
    const status = this.status;
    if (status < 200 && status >= 100) {
      // Interim response (100 Continue, 103 Early Hints): the real one follows.
      this.state = State.Head;
      return consumed;
    }
    if (this.headRequest || status === 204 || status === 304) {
      this.complete();
      return consumed;
    }
    if (chunked) {
      this.state = State.Chunked;
      this.chunkPhase = 0;
      this.chunkLine = '';
    } else if (length >= 0) {
      if (length === 0) {
        this.complete();
        return consumed;
      }
      this.state = State.Body;
      this.remaining = length;
    } else {
      this.state = State.UntilClose;
      this.closeAfter = true;
    }
    return consumed;
  }

  private readChunked(buf: Buffer, from: number): number {
    let at = from;
    while (at < buf.length && this.inflight) {
      if (this.chunkPhase === 1) {
        const take = Math.min(this.remaining, buf.length - at);
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) {
          this.chunkPhase = 2;
          this.chunkLine = '';
        }
        continue;
      }
      const lf = buf.indexOf(LF, at);
      if (lf < 0) {
        this.chunkLine += buf.toString('latin1', at, buf.length);
        return buf.length;
      }
      const text = (this.chunkLine + buf.toString('latin1', at, lf)).replace(/\r$/, '');
      this.chunkLine = '';
      at = lf + 1;
      if (this.chunkPhase === 2) {
        this.chunkPhase = 0;
      } else if (this.chunkPhase === 0) {
        const size = parseInt(text.split(';', 1)[0], 16);
        if (!Number.isFinite(size)) {
          this.fail('bad chunked encoding');
          return buf.length;
        }
        if (size === 0) {
          this.chunkPhase = 3;
        } else {
          this.remaining = size;
          this.chunkPhase = 1;
        }
      } else if (text === '') {
        this.complete();
      }
    }
    return at;
  }
}

/** The request bytes, built once. */
export function encodeRequest(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
): Buffer {
  const bodyBytes = body === undefined ? undefined : Buffer.from(body);
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name + value)) continue;
    head += `${name}: ${value}\r\n`;
  }
  if (bodyBytes) head += `content-length: ${bodyBytes.length}\r\n`;
  head += '\r\n';
  return bodyBytes ? Buffer.concat([Buffer.from(head, 'latin1'), bodyBytes]) : Buffer.from(head, 'latin1');
}
