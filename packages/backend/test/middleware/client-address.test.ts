import { lastForwardedFor } from '../../src/middleware/client-address';

describe("the Forwarded header's last element (RFC 7239)", () => {
  test.each([
    ['for=192.0.2.60;proto=http;by=203.0.113.43', '192.0.2.60'],
    ['for=1.2.3.4, for=192.0.2.43;by=10.0.0.1;host=x.execute-api.eu-west-1.amazonaws.com;proto=https', '192.0.2.43'],
    ['For="192.0.2.43:47011"', '192.0.2.43'],
    ['for="[2001:db8:cafe::17]:4711"', '2001:db8:cafe::17'],
    ['proto=https;for=198.51.100.1', '198.51.100.1'],
  ])('%s → %s', (header, address) => {
    expect(lastForwardedFor(header)).toBe(address);
  });

  test.each([undefined, '', 'proto=https;by=10.0.0.1', 'for=192.0.2.1, proto=https', 'for=""'])(
    'no address in %p: undefined (the socket address is used)',
    (header) => {
      expect(lastForwardedFor(header)).toBeUndefined();
    },
  );
});
