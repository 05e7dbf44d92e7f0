import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { IAMClient } from '@aws-sdk/client-iam';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { DoctorClients } from './checks';

/**
 * Real clients for one environment's region, with the default credentials
 * (AWS_PROFILE), and with the pipeline account's profile when one is given.
 * The connection's client is made for the connection's region.
 */
export function createDoctorClients(region: string, pipelineProfile?: string): DoctorClients {
  return {
    sts: new STSClient({ region }),
    cloudFormation: new CloudFormationClient({ region }),
    iam: new IAMClient({ region }),
    route53: new Route53Client({ region }),
    ec2: new EC2Client({ region }),
    secretsManager: new SecretsManagerClient({ region }),
    ssm: new SSMClient({ region }),
    ecr: new ECRClient({ region }),
    rds: new RDSClient({ region }),
    connections: (connectionRegion) => new CodeStarConnectionsClient({ region: connectionRegion }),
    pipelineAccount:
      pipelineProfile === undefined
        ? undefined
        : {
            sts: new STSClient({ region, profile: pipelineProfile }),
            cloudFormation: new CloudFormationClient({ region, profile: pipelineProfile }),
            connections: (connectionRegion) =>
              new CodeStarConnectionsClient({ region: connectionRegion, profile: pipelineProfile }),
          },
  };
}
