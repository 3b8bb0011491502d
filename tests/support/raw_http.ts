// HTTP/1.1 over a raw TCP socket, for requests fetch() refuses to send as written: a foreign
// Host header, an un-normalized path with "..", a hand-made WebSocket handshake.

export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  /** Everything after the header block (not de-chunked). */
  body: string;
  text: string;
}

/** Sends `lines` (request line + headers) and reads until the server closes or `timeoutMs`. */
export async function rawRequest(
  port: number,
  lines: string[],
  timeoutMs = 2000,
): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }, timeoutMs);
  try {
    await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      chunks.push(decoder.decode(buf.subarray(0, n), { stream: true }));
      if (complete(chunks.join(""))) break;
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // already closed by the timer
    }
  }
  const text = chunks.join("");
  const end = text.indexOf("\r\n\r\n");
  const head = end === -1 ? text : text.slice(0, end);
  const [statusLine, ...headerLines] = head.split("\r\n");
  const headers = new Map<string, string>();
  for (const h of headerLines) {
    const i = h.indexOf(":");
    if (i > 0) headers.set(h.slice(0, i).trim().toLowerCase(), h.slice(i + 1).trim());
  }
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  return { status, headers, body: end === -1 ? "" : text.slice(end + 4), text };
}

/** Whether a whole response has arrived (keep-alive answers are not followed by a close). */
function complete(text: string): boolean {
  const end = text.indexOf("\r\n\r\n");
  if (end === -1) return false;
  if (/^HTTP\/1\.1 101/.test(text)) return true; // an upgraded socket stays open
  const head = text.slice(0, end);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  const body = text.slice(end + 4);
  if (length) return new TextEncoder().encode(body).length >= Number(length[1]);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return body.endsWith("0\r\n\r\n");
  return false;
}

/** A GET with the given path (sent verbatim) and headers, Connection: close. */
export function rawGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const all = { Host: `127.0.0.1:${port}`, Connection: "close", ...headers };
  return rawRequest(port, [
    `GET ${path} HTTP/1.1`,
    ...Object.entries(all).map(([k, v]) => `${k}: ${v}`),
  ]);
}

/** A WebSocket opening handshake for `path` with the given Origin (or none). */
export function wsHandshake(port: number, path: string, origin?: string): Promise<RawResponse> {
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
  ];
  if (origin !== undefined) lines.push(`Origin: ${origin}`);
  return rawRequest(port, lines);
}
