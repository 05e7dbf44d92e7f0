// `npx projen dev` (or the root's, which starts the API's dev server beside this one): the page on
// http://127.0.0.1:3000/, rebuilt on every change, with /api/* forwarded to the local API.
//   FRONTEND_PORT  port to listen on (default 3000)
//   FRONTEND_HOST  address to listen on (default 127.0.0.1; 0.0.0.0 inside a container)
//   API_URL        the local API (default http://127.0.0.1:8000, where the backend's dev task listens)
import { startDevServer } from './dev-server';

async function main(): Promise<void> {
  const port = Number(process.env.FRONTEND_PORT ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`FRONTEND_PORT must be a port number from 0 to 65535; got "${process.env.FRONTEND_PORT}"`);
  }
  const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:8000';
  const server = await startDevServer({ port, host: process.env.FRONTEND_HOST, apiUrl });
  console.log(
    `\n  Open ${server.url}  (page and API on one origin; /api/* → ${apiUrl})\n  Rebuilds on every change: reload the page to see it.\n`,
  );
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`dev server failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
