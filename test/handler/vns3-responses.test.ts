/**
 * Bodies as Cohesive's OpenAPI description of VNS3 has them (cohesive/cohesivenet-client-go,
 * cohesivenet/api/openapi.yaml: `RuntimeStatus_ipsec_value`, `ConnectedSubnetsDetail`,
 * `ConnectedSubnet`) and as the Python SDK's test data has them (cohesive/python-cohesivenet-sdk,
 * tests/vns3/stub_data.py: `IpsecStatusResponse`, `VNS3ConnectedSubnets`).
 */
import { BadResponseError, parseConnectedSubnets, parseIpsecStatus } from "../../handler/vns3-responses";

describe("parseIpsecStatus", () => {
  it("reads tunnels keyed by id, with optional fields", () => {
    const body = {
      response: {
        "4": { local_subnet: "172.16.0.0/24", remote_subnet: "10.40.0.0/24", endpointid: 2, endpoint_name: "acme-payments", active: true, description: "Payments primary", connected: false, tunnel_params: { phase1: "down" } },
        "5": { description: null, connected: true },
        "6": { connected: 1, description: "", endpoint_name: "" },
        "7": { connected: "false" },
      },
    };
    expect(parseIpsecStatus(body)).toEqual([
      { id: "4", description: "Payments primary", connected: false, endpointName: "acme-payments", endpointId: "2", remoteSubnet: "10.40.0.0/24" },
      { id: "5", description: "", connected: true },
      { id: "6", description: "", connected: true },
      { id: "7", description: "", connected: false },
    ]);
  });

  it("reads the SDK's IpsecStatusResponse tunnel as enabled, with its endpointid", () => {
    const body = {
      response: {
        "5": { local_subnet: "172.31.0.0/28", remote_subnet: "192.168.10.0/22", endpointid: 5, endpoint_name: "EndpointB", active: true, description: "tunnel", connected: true, tunnel_params: { phase2: "up", phase1: "up", ike_version: "IKEv1" } },
      },
    };
    expect(parseIpsecStatus(body)).toEqual([{ id: "5", description: "tunnel", connected: true, endpointName: "EndpointB", endpointId: "5", remoteSubnet: "192.168.10.0/22" }]);
  });

  it("accepts endpoint_id as well as endpointid, preferring endpoint_id when both are given", () => {
    const body = { response: { "1": { connected: true, endpoint_id: 7 }, "2": { connected: true, endpointid: 8 }, "3": { connected: true, endpoint_id: 9, endpointid: 9 } } };
    expect(parseIpsecStatus(body).map((t) => [t.id, t.endpointId])).toEqual([
      ["1", "7"],
      ["2", "8"],
      ["3", "9"],
    ]);
  });

  it.each([
    ["active: false", { active: false, enabled: true }],
    ["enabled: false", { active: true, enabled: false }],
    ["both false", { active: false, enabled: false }],
  ])("marks a tunnel with %s as disabled", (_label, flags) => {
    expect(parseIpsecStatus({ response: { "3": { connected: false, description: "Standby", ...flags } } })).toEqual([{ id: "3", description: "Standby", connected: false, enabled: false }]);
  });

  it("keeps a tunnel with active and enabled true, or an odd flag value, enabled", () => {
    const tunnels = parseIpsecStatus({ response: { "1": { connected: true, active: true, enabled: true }, "2": { connected: true, active: "yes" } } });
    expect(tunnels.map((t) => t.enabled)).toEqual([undefined, undefined]);
  });

  it("accepts a controller with no tunnels", () => {
    expect(parseIpsecStatus({ response: {} })).toEqual([]);
  });

  it.each([
    [{ error: { message: "Authentication failed" } }, "unexpected body at response: expected an object of tunnels keyed by id"],
    [{ response: { "1": { description: "x" } } }, "unexpected body at response.1.connected: Invalid input"],
    [{ response: [] }, "unexpected body at response: expected an object of tunnels keyed by id"],
    ["<html>", "unexpected body at response: expected an object of tunnels keyed by id"],
  ])("rejects %j as a bad response", (body, message) => {
    expect(() => parseIpsecStatus(body)).toThrow(new BadResponseError(message));
  });

  it("names a huge tunnel id in an error by its first 40 characters only", () => {
    const body = { response: { ["k".repeat(100_000)]: { connected: "maybe" } } };
    expect(() => parseIpsecStatus(body)).toThrow(new BadResponseError(`unexpected body at response.${"k".repeat(40)}….connected: Invalid input`));
  });
});

describe("parseConnectedSubnets", () => {
  it("reads the default answer, [network, netmask] pairs, as CIDR without an origin", () => {
    expect(parseConnectedSubnets({ response: [["10.0.1.0", "255.255.255.0"]] })).toEqual([{ network: "10.0.1.0/24" }]);
  });

  it("reads the extended answer: network (address only) with cidr_mask, and the origin", () => {
    const body = {
      response: [
        { subnet: "10.50.0.0/24", network: "10.50.0.0", cidr_mask: "24", netmask: "255.255.255.0", managerid: 1, origin: "ipsec" },
        { subnet: "172.16.0.0/16", network: "172.16.0.0", cidr_mask: "16", netmask: "255.255.0.0", managerid: 1, origin: "local_no_encryption" },
        { subnet: "192.168.100.0/22", network: "192.168.100.0", cidr_mask: "22", netmask: "255.255.252.0", managerid: 2, origin: "remote_manager" },
      ],
    };
    expect(parseConnectedSubnets(body)).toEqual([
      { network: "10.50.0.0/24", origin: "ipsec" },
      { network: "172.16.0.0/16", origin: "local_no_encryption" },
      { network: "192.168.100.0/22", origin: "remote_manager" },
    ]);
  });

  it("falls back to the netmask, then to subnet, when cidr_mask is missing", () => {
    expect(
      parseConnectedSubnets({
        response: [
          { network: "10.60.0.0", netmask: "255.255.0.0", origin: "ebgp" },
          { subnet: "10.61.0.0/20", origin: "ipsec" },
        ],
      }),
    ).toEqual([
      { network: "10.60.0.0/16", origin: "ebgp" },
      { network: "10.61.0.0/20", origin: "ipsec" },
    ]);
  });

  it("clears host bits and accepts CIDR text in network", () => {
    expect(parseConnectedSubnets({ response: [["10.0.1.7", "255.255.255.0"], { network: "10.40.0.0/24", origin: "ipsec" }] })).toEqual([{ network: "10.0.1.0/24" }, { network: "10.40.0.0/24", origin: "ipsec" }]);
  });

  it("skips items that are not an IPv4 subnet instead of guessing", () => {
    expect(
      parseConnectedSubnets({
        response: [["10.1.0.0", "255.0.255.0"], ["10.2.0.0"], { origin: "ipsec" }, "junk", { network: "fd00::", cidr_mask: "64", origin: "ipsec" }, ["10.3.0.0", "255.255.255.0"]],
      }),
    ).toEqual([{ network: "10.3.0.0/24" }]);
  });

  it("accepts an empty list", () => {
    expect(parseConnectedSubnets({ response: [] })).toEqual([]);
  });

  it.each([
    ["a string", "<html>502</html>", "unexpected body at response: expected an array of subnets"],
    ["null", { response: null }, "unexpected body at response: expected an array of subnets"],
    ["an object under response", { response: { a: { network: "10.1.0.0/24", origin: "ipsec" } } }, "unexpected body at response: expected an array of subnets"],
    ["items none of which is a subnet", { response: [{ foo: 1 }] }, "unexpected body at response: no item is a [network, netmask] pair or a subnet object"],
  ])("rejects %s", (_label, body, message) => {
    expect(() => parseConnectedSubnets(body)).toThrow(new BadResponseError(message));
  });
});
