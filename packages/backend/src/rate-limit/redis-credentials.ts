import type { Clock } from '../clock';
import type { CredentialsCheck } from '../routes/health';

/** The events of a node-redis client this reads. */
interface RedisEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * Since when Redis or Valkey has refused this instance's credentials, for `/api/health`: set by the first
 * `WRONGPASS` a (re)connection gets, cleared once a connection is ready again. Refused credentials are no outage:
 * the rate limit fails open on an outage, but a task still holding a password the cache no longer accepts should be
 * replaced by one that reads the current secret, as for the database (docs/data.md).
 */
export class RedisCredentials implements CredentialsCheck {
  private refusedSince: Date | undefined;

  constructor(client: RedisEvents, clock: Clock) {
    client.on('error', (error: Error) => {
      if (this.refusedSince === undefined && /^WRONGPASS\b/.test(error.message)) {
        this.refusedSince = clock.now();
      }
    });
    client.on('ready', () => {
      this.refusedSince = undefined;
    });
  }

  public get credentialsRefusedSince(): Date | undefined {
    return this.refusedSince;
  }
}
