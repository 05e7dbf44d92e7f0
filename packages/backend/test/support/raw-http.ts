import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** Port of a listening server. */
export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Opens a TCP connection to 127.0.0.1:`port`. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Reads everything `socket` sends until the server closes it. */
export function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(text));
  });
}

/** Resolves with what `socket` has sent once it contains `marker`. */
export function readUntil(socket: Socket, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes(marker)) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Sends `raw` bytes as one request on a fresh connection and returns the whole response text. */
export async function sendRaw(port: number, raw: string | Buffer): Promise<string> {
  const socket = await openSocket(port);
  const response = readUntilClosed(socket);
  socket.end(raw);
  return response;
}

/** Splits raw HTTP/1.1 responses into status, headers (lower-case names) and body, in order. */
export function parseResponses(text: string): { status: number; headers: Record<string, string>; body: string }[] {
  const responses = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const headEnd = rest.indexOf('\r\n\r\n');
    const [statusLine, ...headerLines] = rest.slice(0, headEnd).split('\r\n');
    const headers = Object.fromEntries(
      headerLines.map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
    );
    const length = Number(headers['content-length'] ?? 0);
    const bodyStart = headEnd + 4;
    const body = Buffer.from(rest.slice(bodyStart), 'utf8').subarray(0, length).toString('utf8');
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body });
    rest = rest.slice(bodyStart + body.length);
  }
  return responses;
}
