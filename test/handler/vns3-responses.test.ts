/**
 * Bodies as Cohesive's OpenAPI description of VNS3 has them (cohesive/cohesivenet-client-go,
 * cohesivenet/api/openapi.yaml: `RuntimeStatus_ipsec_value`, `ConnectedSubnetsDetail`,
 * `ConnectedSubnet`) and as the Python SDK's test data has them (cohesive/python-cohesivenet-sdk,
 * tests/vns3/stub_data.py: `IpsecStatusResponse`, `VNS3ConnectedSubnets`).
 */
import * as fc from "fast-check";
import { AnswerScan } from "../../handler/answer-scan";
import type { Tunnel } from "../../handler/core";
import { classifyReadError, readAnswerChunks } from "../../handler/vns3-client";
import { BadResponseError, connectedSubnetsReader, ipsecStatusReader, parseConnectedSubnets, parseIpsecStatus, tunnelSchema, usualTunnel } from "../../handler/vns3-responses";

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

/**
 * The two readers of an answer (whole-body JSON.parse under STREAM_PARSE_FROM_BYTES, the streaming
 * parser above it) must agree on every answer, well-formed or not. Answers are generated around
 * the OpenAPI shape (`{"response": {<id>: IpsecTunnelDetail}}`, `{"response": [...]}` for
 * connected subnets) with the features the two used to read differently: a repeated tunnel id
 * (also spelled with an escape), a repeated `response`, a byte-order mark, invalid UTF-8, deep
 * nesting, `__proto__` keys, and arbitrary chunk boundaries.
 */
describe("the whole-body and the streaming reader agree", () => {
  const idArb = fc.constantFrom("1", "2", "10", "01", "__proto__", "tunnel-a", "东京");
  // A key as written: plain, or with its first character as a \u escape (same key once decoded).
  const writtenKey = (key: string, escaped: boolean): string =>
    escaped ? `"\\u${key.charCodeAt(0).toString(16).padStart(4, "0")}${JSON.stringify(key).slice(2)}` : JSON.stringify(key);
  const tunnelArb = fc.oneof(
    fc.record(
      {
        connected: fc.oneof(fc.boolean(), fc.constantFrom(0, 1, "true", "false", "yes")),
        description: fc.oneof(fc.string({ unit: "binary", maxLength: 12 }), fc.constant(null)),
        endpoint_name: fc.string({ maxLength: 6 }),
        endpointid: fc.nat(50),
        active: fc.boolean(),
        tunnel_params: fc.record({ phase1: fc.constantFrom("up", "down"), phase2: fc.constantFrom("up", "down"), esp_time_remaining: fc.constant("20756s") }),
      },
      { requiredKeys: ["connected"] },
    ),
    fc.jsonValue({ maxDepth: 3 }),
  );
  const answerArb = fc.record({
    members: fc.array(fc.tuple(idArb, fc.boolean(), tunnelArb), { maxLength: 6 }),
    asArray: fc.boolean(),
    repeatResponse: fc.boolean(),
    bom: fc.boolean(),
    other: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
    deep: fc.option(fc.integer({ min: 60, max: 70 }), { nil: undefined }),
    badByte: fc.option(fc.tuple(fc.nat(), fc.constantFrom(0xff, 0xc0, 0xed, 0xe0, 0x80, 0xf4)), { nil: undefined }),
    cuts: fc.array(fc.nat(), { maxLength: 5 }),
  });

  type Answer = typeof answerArb extends fc.Arbitrary<infer T> ? T : never;

  function answerBytes(a: Answer): Buffer {
    const values = a.members.map(([id, escaped, tunnel]) => (a.asArray ? JSON.stringify(tunnel) : `${writtenKey(id, escaped)}:${JSON.stringify(tunnel)}`));
    const response = a.asArray ? `[${values.join(",")}]` : `{${values.join(" , ")}}`;
    const parts = [`"response": ${response}`];
    if (a.other !== undefined) parts.push(`"other":${JSON.stringify(a.other)}`);
    if (a.deep !== undefined) parts.push(`"deep":${"[".repeat(a.deep)}${"]".repeat(a.deep)}`);
    if (a.repeatResponse) parts.push(`"response": {}`);
    let bytes = Buffer.from(`${a.bom ? "\uFEFF" : ""}{${parts.join(",")}}`, "utf8");
    if (a.badByte !== undefined) {
      const [at, byte] = a.badByte;
      bytes = Buffer.concat([bytes.subarray(0, at % bytes.length), Buffer.from([byte]), bytes.subarray(at % bytes.length)]);
    }
    return bytes;
  }

  function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
    const chunks: Buffer[] = [];
    let from = 0;
    for (const point of [...points, bytes.length]) {
      chunks.push(bytes.subarray(from, point));
      from = point;
    }
    return chunks.filter((c) => c.length > 0);
  }

  function outcome<T>(run: () => T): { ok: T } | { reason: string } {
    try {
      return { ok: run() };
    } catch (error) {
      return { reason: classifyReadError(error).reason };
    }
  }

  const byId = (tunnels: readonly Tunnel[]) => [...tunnels].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));

  it("gives the same tunnels or the same bad_response on generated /status/ipsec answers", () => {
    fc.assert(
      fc.property(answerArb, (a) => {
        const bytes = answerBytes(a);
        const chunks = chunked(bytes, a.cuts);
        const whole = outcome(() => byId(readAnswerChunks(chunks, ipsecStatusReader({ details: true }))));
        const streamed = outcome(() => byId(readAnswerChunks(chunks, ipsecStatusReader({ details: true }), { streamFromBytes: 0 })));
        expect(streamed).toEqual(whole);
        // Nor does it depend on where the chunks were cut.
        expect(whole).toEqual(outcome(() => byId(readAnswerChunks([bytes], ipsecStatusReader({ details: true })))));
      }),
      { numRuns: 600 },
    );
  });

  it("reads escaped quotes and backslashes inside a tunnel alike wherever a chunk ends, even between a backslash and what it escapes", () => {
    // Inside a tunnel the scan reads string contents byte by byte: an escaped quote does not end a string, an escaped backslash before a quote does, and a cut may fall between a backslash and what it escapes.
    // Misread, the text after an escaped quote would close the tunnel and add a member to `response`.
    const body = Buffer.from(JSON.stringify({ response: { "1": { connected: true, description: 'a "quoted" \\ path\\', tunnel_params: { phase1: "up", note: '\\"}]{[' } }, "2": { connected: false, description: 'q"},"9":{"' } } }), "utf8");
    const expected = byId(readAnswerChunks([body], ipsecStatusReader({ details: true })));
    expect(expected.map((t) => t.description)).toEqual(['a "quoted" \\ path\\', 'q"},"9":{"']);
    for (let cut = 1; cut < body.length; cut += 1) {
      const chunks = [body.subarray(0, cut), body.subarray(cut)];
      expect(byId(readAnswerChunks(chunks, ipsecStatusReader({ details: true })))).toEqual(expected);
      expect(byId(readAnswerChunks(chunks, ipsecStatusReader({ details: true }), { streamFromBytes: 0 }))).toEqual(expected);
    }
    // Byte by byte, too.
    const bytes = [...body].map((b) => Buffer.from([b]));
    expect(byId(readAnswerChunks(bytes, ipsecStatusReader({ details: true })))).toEqual(expected);
  });

  it("gives the same subnets or the same bad_response on generated /status/connected_subnets answers", () => {
    const subnetArb = fc.oneof(fc.constant(["10.40.0.0", "255.255.255.0"]), fc.record({ network: fc.constantFrom("10.40.0.0", "10.41.0.0/16"), cidr_mask: fc.constant("24"), origin: fc.constantFrom("ipsec", "local_no_encryption") }), fc.jsonValue({ maxDepth: 2 }));
    fc.assert(
      fc.property(answerArb, fc.array(subnetArb, { maxLength: 5 }), (a, subnets) => {
        const bytes = answerBytes({ ...a, asArray: true, members: subnets.map((s) => ["0", false, s] as [string, boolean, unknown]) } as Answer);
        const chunks = chunked(bytes, a.cuts);
        expect(outcome(() => readAnswerChunks(chunks, connectedSubnetsReader(), { streamFromBytes: 0 }))).toEqual(outcome(() => readAnswerChunks(chunks, connectedSubnetsReader())));
      }),
      { numRuns: 300 },
    );
  });

  it.each<[string, string | Buffer, string]>([
    ["a repeated tunnel id", '{"response":{"1":{"connected":true},"1":{"connected":false}}}', "unexpected body at response: a tunnel id appears more than once"],
    ["a repeated tunnel id spelled with an escape", '{"response":{"1":{"connected":true},"\\u0031":{"connected":false}}}', "unexpected body at response: a tunnel id appears more than once"],
    ["a repeated response key", '{"response":{"1":{"connected":true}},"response":{"2":{"connected":true}}}', "unexpected body: more than one response key"],
    ["invalid UTF-8 in a description", Buffer.concat([Buffer.from('{"response":{"1":{"connected":true,"description":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}}')]), "body is not valid UTF-8"],
    ["an encoded surrogate (CESU-8)", Buffer.concat([Buffer.from('{"response":{"1":{"connected":true,"description":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}}}')]), "body is not valid UTF-8"],
    ["nesting 65 deep outside response", `{"response":{},"x":${"[".repeat(64)}${"]".repeat(64)}}`, "unexpected body: nested deeper than 64 levels"],
  ])("refuses %s the same way in both readers", (_what, body, detail) => {
    const chunks = [Buffer.from(body)];
    for (const streamFromBytes of [undefined, 0]) {
      expect(() => readAnswerChunks(chunks, ipsecStatusReader(), { streamFromBytes })).toThrow(new BadResponseError(detail));
    }
  });

  it("accepts exactly the bytes the fatal WHATWG UTF-8 decoder accepts, wherever the chunks are cut", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    // Mostly valid text with a few raw bytes mixed in, so both outcomes are common.
    const bytesArb = fc
      .array(fc.oneof(fc.string({ unit: "binary", maxLength: 4 }).map((t) => Buffer.from(t.replace(/[[{]/g, ""), "utf8")), fc.uint8Array({ maxLength: 2 }).map((b) => Buffer.from(b))), { maxLength: 12 })
      .map((parts) => Buffer.concat(parts));
    fc.assert(
      fc.property(bytesArb, fc.array(fc.nat(), { maxLength: 4 }), (bytes, cuts) => {
        let valid = true;
        try {
          decoder.decode(bytes);
        } catch {
          valid = false;
        }
        const scan = new AnswerScan();
        const accepted = outcome(() => {
          for (const chunk of chunked(bytes, cuts)) scan.push(chunk);
          return scan.end().type;
        });
        expect("ok" in accepted).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });

  it("skips a leading byte-order mark in both readers, even split over chunks", () => {
    const bytes = Buffer.from('\uFEFF{"response":{"1":{"connected":true}}}', "utf8");
    for (const streamFromBytes of [undefined, 0]) {
      expect(readAnswerChunks([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)], ipsecStatusReader(), { streamFromBytes })).toEqual([{ id: "1", description: "", connected: true, endpointId: undefined }]);
    }
  });
});

describe("the usual-shape reading of an ipsec entry", () => {
  // Every JSON value a field can hold (what JSON.parse and the streaming parser give), plus the
  // numbers JSON.parse makes of 1e999 and the shapes older firmware writes ("true", 0, 1).
  const anyField = fc.oneof(
    fc.boolean(),
    fc.constantFrom(0, 1, -0, 2, 1.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "true", "false", "", "yes", null),
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.double(),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  );
  const fields = ["connected", "description", "endpoint_name", "endpoint_id", "endpointid", "remote_subnet", "active", "enabled", "tunnel_params", "id"] as const;
  // Mostly well-formed fields, so that most entries take the usual path; the rest anything.
  const usualField = (f: string): fc.Arbitrary<unknown> =>
    f === "connected" ? fc.oneof(fc.boolean(), fc.constantFrom(0, 1, "true", "false")) : fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null));
  const entryArb = fc.oneof(
    { weight: 4, arbitrary: fc.record(Object.fromEntries(fields.map((f) => [f, fc.oneof({ weight: 6, arbitrary: usualField(f) }, { weight: 1, arbitrary: anyField })])) as Record<(typeof fields)[number], fc.Arbitrary<unknown>>, { requiredKeys: [] }) },
    { weight: 1, arbitrary: anyField },
  );

  it("is the schema's reading whenever it gives one, and leaves every other entry to the schema", () => {
    let usual = 0;
    fc.assert(
      fc.property(entryArb, (entry) => {
        const fast = usualTunnel(entry);
        const schema = tunnelSchema.safeParse(entry);
        if (fast === undefined) return;
        usual += 1;
        expect(schema.success).toBe(true);
        expect(fast).toEqual(schema.data);
      }),
      { numRuns: 3000 },
    );
    // The property above must not hold vacuously.
    expect(usual).toBeGreaterThan(100);
  });

  it("takes the stand-ins' and the SDK's tunnel shape (every field a string, connected a boolean)", () => {
    const entry = { connected: true, description: "Partner 7 (primary)", endpoint_name: "partner-7", endpointid: 7, endpoint_id: 7, remote_subnet: "10.1.7.0/32", active: true, enabled: true, tunnel_params: { phase1: "up" } };
    expect(usualTunnel(entry)).toEqual({ ...entry, endpointid: "7", endpoint_id: "7" });
  });
});
