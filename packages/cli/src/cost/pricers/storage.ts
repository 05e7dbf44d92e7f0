import { addAssumedLine, gigabytes, ResourcePricer, ResourcePricers } from './pricer';

/** Storage priced per GB-month, at an assumed size per resource. */
function assumedStorage(
  item: string,
  priceId: string,
  assumption: 's3GbPerBucket' | 'ecrGbPerRepository',
): ResourcePricer {
  return (context, id, resource) =>
    addAssumedLine(context, id, resource, { item, detail: gigabytes, priceId, assumption });
}

const priceBucket = assumedStorage('S3 Standard storage', 's3.standard.gb-month', 's3GbPerBucket');
const priceEcrRepository = assumedStorage('ECR image storage', 'ecr.storage.gb-month', 'ecrGbPerRepository');

/** S3 buckets and ECR repositories, at an assumed size each. */
export const STORAGE_PRICERS: ResourcePricers = {
  'AWS::S3::Bucket': priceBucket,
  'AWS::ECR::Repository': priceEcrRepository,
};
