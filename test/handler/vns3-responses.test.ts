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
      { id: "4", description: "Payments primary", connected: false, endpointName: "acme-payments", remoteSubnet: "10.40.0.0/24" },
      { id: "5", description: "", connected: true },
      { id: "6", description: "", connected: true },
      { id: "7", description: "", connected: false },
    ]);
  });

  it("accepts a controller with no tunnels", () => {
    expect(parseIpsecStatus({ response: {} })).toEqual([]);
  });

  it.each([
    [{ error: { message: "Authentication failed" } }, "unexpected body at response: Invalid input: expected record, received undefined"],
    [{ response: { "1": { description: "x" } } }, "unexpected body at response.1.connected: Invalid input"],
    [{ response: [] }, "unexpected body at response: Invalid input: expected record, received array"],
    ["<html>", "unexpected body at (root): Invalid input: expected object, received string"],
  ])("rejects %j as a bad response", (body, message) => {
    expect(() => parseIpsecStatus(body)).toThrow(new BadResponseError(message));
  });
});

describe("parseConnectedSubnets", () => {
  it.each([
    ["an array under response", { response: [{ network: "10.1.0.0/24", origin: "ipsec" }] }],
    ["an object under response", { response: { a: { network: "10.1.0.0/24", origin: "ipsec" } } }],
    ["a bare array", [{ network: "10.1.0.0/24", origin: "ipsec" }]],
    ["an object keyed by network", { response: { "10.1.0.0/24": { origin: "ipsec" } } }],
  ])("reads %s", (_label, body) => {
    expect(parseConnectedSubnets(body)).toEqual([{ network: "10.1.0.0/24", origin: "ipsec" }]);
  });

  it("skips items it cannot classify instead of guessing", () => {
    expect(parseConnectedSubnets({ response: [{ network: "10.1.0.0/24" }, { origin: "ipsec" }, "junk", { network: "10.2.0.0/24", origin: "local_overlay" }] })).toEqual([
      { network: "10.2.0.0/24", origin: "local_overlay" },
    ]);
  });

  it("accepts an empty list", () => {
    expect(parseConnectedSubnets({ response: [] })).toEqual([]);
  });

  it.each([
    ["a string", "<html>502</html>", "unexpected body: expected an array or an object of subnets"],
    ["null", { response: null }, "unexpected body: expected an array or an object of subnets"],
    ["items none of which is a subnet", { response: [{ foo: 1 }] }, "unexpected body: no item has a network and an origin"],
  ])("rejects %s", (_label, body, message) => {
    expect(() => parseConnectedSubnets(body)).toThrow(new BadResponseError(message));
  });
});
