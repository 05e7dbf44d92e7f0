import { API_GATEWAY_PRICERS } from './pricers/api-gateway';
import { CLOUDWATCH_PRICERS } from './pricers/cloudwatch';
import { DATABASE_PRICERS } from './pricers/database';
import { DELIVERY_PRICERS } from './pricers/delivery';
import { DNS_PRICERS } from './pricers/dns';
import { EC2_PRICERS } from './pricers/ec2';
import { ECS_PRICERS } from './pricers/ecs';
import { LAMBDA_PRICERS } from './pricers/lambda';
import { LOAD_BALANCING_PRICERS } from './pricers/load-balancing';
import { LOGS_PRICERS } from './pricers/logs';
import { NETWORKING_PRICERS } from './pricers/networking';
import { ResourcePricers } from './pricers/pricer';
import { SECURITY_PRICERS } from './pricers/security';
import { STORAGE_PRICERS } from './pricers/storage';

export { FREE_RESOURCE_TYPES } from './pricers/free-resources';
export type { ResourcePricer } from './pricers/pricer';

/**
 * Pricers by CloudFormation resource type, one file per AWS service family in
 * `pricers/`. A type priced here is never also in FREE_RESOURCE_TYPES.
 */
export const RESOURCE_PRICERS: ResourcePricers = {
  ...ECS_PRICERS,
  ...LOAD_BALANCING_PRICERS,
  ...API_GATEWAY_PRICERS,
  ...NETWORKING_PRICERS,
  ...EC2_PRICERS,
  ...LOGS_PRICERS,
  ...CLOUDWATCH_PRICERS,
  ...DNS_PRICERS,
  ...STORAGE_PRICERS,
  ...SECURITY_PRICERS,
  ...DELIVERY_PRICERS,
  ...LAMBDA_PRICERS,
  ...DATABASE_PRICERS,
};
