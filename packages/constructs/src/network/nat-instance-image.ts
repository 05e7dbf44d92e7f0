import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EnvironmentConfig } from '../config/environment-config';

/**
 * The NAT instance's image from an environment's settings: exactly the AMI id in
 * `network.natInstance.amiId`, in the environment's region. No lookup and no SSM
 * parameter, so synth stays offline and a new Amazon Linux release changes nothing
 * until the setting changes.
 *
 * @returns undefined when the environment has no NAT instance
 */
export function natInstanceImageFor(config: EnvironmentConfig): ec2.IMachineImage | undefined {
  const amiId = config.network.natInstance?.amiId;
  return amiId === undefined ? undefined : ec2.MachineImage.genericLinux({ [config.region]: amiId });
}
