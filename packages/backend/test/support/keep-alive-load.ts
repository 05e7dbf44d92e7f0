import { Agent, request } from 'node:http';

/** What became of one request. */
export type Outcome =
  | { readonly kind: 'answered'; readonly status: number; readonly connection: string | undefined }
  /** The connection was refused: the request never left the client, which may safely send it elsewhere. */
  | { readonly kind: 'refused' }
  /** The request was sent (or was being sent) and the connection closed or reset without a response. */
  | { readonly kind: 'lost'; readonly code: string; readonly reusedConnection: boolean };

/** How each client's run ended. */
export type ClientEnd = 'refused' | 'lost' | 'moved-on' | 'stopped';

/** What the load saw, in the order things happened per client. */
export interface LoadReport {
  readonly outcomes: readonly Outcome[];
  readonly ends: readonly ClientEnd[];
}

export interface KeepAliveLoadOptions {
  readonly port: number;
  readonly clients: number;
  readonly path: string;
  /**
   * Whether a client that needs a new connection would now connect somewhere else, as a client whose DNS answer
   * expired would. Checked only when a client has no reusable connection; a client keeps using an open
   * keep-alive connection whatever DNS says.
   */
  readonly movedOn: () => boolean;
}

/**
 * Keep-alive HTTP/1.1 clients, each with one connection (a Node `Agent` with `keepAlive` and `maxSockets: 1`),
 * each sending its next request as soon as the previous response has arrived. Like Node's own HTTP client and
 * most others, a client reuses its connection unless the response said `Connection: close`, and never retries.
 */
export class KeepAliveLoad {
  private readonly outcomes: Outcome[] = [];
  private readonly runs: Promise<ClientEnd>[];
  private readonly agents: Agent[] = [];
  private stopping = false;

  constructor(private readonly options: KeepAliveLoadOptions) {
    this.runs = Array.from({ length: options.clients }, () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      this.agents.push(agent);
      return this.run(agent);
    });
  }

  /** Requests answered so far. */
  public get answered(): number {
    return this.outcomes.filter((outcome) => outcome.kind === 'answered').length;
  }

  /** Resolves once every client has ended on its own. */
  public async finished(): Promise<LoadReport> {
    const ends = await Promise.all(this.runs);
    this.agents.forEach((agent) => agent.destroy());
    return { outcomes: [...this.outcomes], ends };
  }

  /** Ends every client after its current request. */
  public stop(): Promise<LoadReport> {
    this.stopping = true;
    return this.finished();
  }

  private async run(agent: Agent): Promise<ClientEnd> {
    let last: Outcome | undefined;
    while (!this.stopping) {
      const connectionOpen = last?.kind === 'answered' && last.connection !== 'close';
      if (!connectionOpen && this.options.movedOn()) {
        return 'moved-on';
      }
      last = await this.send(agent);
      this.outcomes.push(last);
      if (last.kind !== 'answered') {
        return last.kind;
      }
    }
    return 'stopped';
  }

  private send(agent: Agent): Promise<Outcome> {
    return new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port: this.options.port, path: this.options.path, agent }, (res) => {
        res.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ kind: 'lost', code: error.code ?? error.message, reusedConnection: req.reusedSocket }),
        );
        res.resume();
        res.on('end', () =>
          resolve({ kind: 'answered', status: res.statusCode ?? 0, connection: res.headers.connection }),
        );
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        resolve(
          error.code === 'ECONNREFUSED'
            ? { kind: 'refused' }
            : { kind: 'lost', code: error.code ?? error.message, reusedConnection: req.reusedSocket },
        ),
      );
      req.end();
    });
  }
}
