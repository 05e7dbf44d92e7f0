import { dispatch } from '../dispatch';
import { createVerifyCommand } from './verify-command';

// The entry point of the single-file bundle the pipeline's verification steps
// run with `node` alone (see SlipwayPipeline): `slipway verify` and nothing
// else. Of CDK it holds only the cloud-assembly reader (aws-cdk-lib/cx-api,
// for --template), no constructs, so it starts in well under a second.
void dispatch(process.argv.slice(2), [createVerifyCommand()]).then((code) => {
  process.exitCode = code;
});
