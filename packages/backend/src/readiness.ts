/**
 * Whether the API should receive new traffic. Shared by the /api/ready route,
 * which reports it, and the graceful shutdown, which turns it off first.
 */
export class Readiness {
  private draining = false;

  /** False once shutdown has begun. */
  public get ready(): boolean {
    return !this.draining;
  }

  /** Report not-ready from now on, so load balancers and orchestrators stop sending traffic. */
  public beginDrain(): void {
    this.draining = true;
  }
}
