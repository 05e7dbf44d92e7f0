import { createDoctorClients } from '../../src/doctor/clients';

describe('createDoctorClients', () => {
  test("makes the pipeline account's clients with --pipeline-profile's profile, in the environment's region", async () => {
    const clients = createDoctorClients('eu-central-1', 'tooling');
    expect(clients.sts.config.profile).toBeUndefined();
    const pipeline = clients.pipelineAccount!;
    for (const client of [pipeline.sts, pipeline.cloudFormation]) {
      expect(client.config.profile).toBe('tooling');
      expect(await client.config.region()).toBe('eu-central-1');
    }
    // The connection's client, in the connection's region.
    const connections = pipeline.connections('eu-west-1');
    expect(connections.config.profile).toBe('tooling');
    expect(await connections.config.region()).toBe('eu-west-1');
  });

  test('makes none without one', () => {
    expect(createDoctorClients('eu-central-1').pipelineAccount).toBeUndefined();
  });
});
