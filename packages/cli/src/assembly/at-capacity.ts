/**
 * A quantity or an amount at the service's minimum capacity and at its autoscaling maximum: task counts (read
 * from the template), and what they cost.
 */
export interface AtCapacity {
  /** With every service at its fewest tasks (autoscaling minimum, or desired count without autoscaling). */
  readonly min: number;
  /** With every service at its autoscaling maximum. */
  readonly max: number;
}
