import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import type { ControllerConfig } from "../../handler/config";
import { Deadline } from "../../handler/deadline";
import { Redactor } from "../../handler/log";
import { createCredentialsResolver, parseApiKeySecret, parseControllerSecret, resolveApiKey, SecretCache, SecretError } from "../../handler/secrets";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vns3/a-AbCdEf";
const OTHER = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vns3/b-AbCdEf";

describe("SecretCache", () => {
  const client = new SecretsManagerClient({ region: "eu-west-1" });
  const sm = mockClient(client);
  let now = 1_000_000;
  const clock = { now: () => now };

  beforeEach(() => {
    sm.reset();
    now = 1_000_000;
  });
  afterAll(() => sm.restore());

  it("reads a secret once and serves it from cache within the TTL", async () => {
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: "v1" });
    const cache = new SecretCache({ client, ttlMs: 60_000, clock });

    expect(await cache.get(ARN)).toBe("v1");
    now += 59_999;
    expect(await cache.get(ARN)).toBe("v1");

    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it("reads again after the TTL, picking up a rotated value", async () => {
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolvesOnce({ SecretString: "v1" }).resolvesOnce({ SecretString: "v2" });
    const cache = new SecretCache({ client, ttlMs: 60_000, clock });

    expect(await cache.get(ARN)).toBe("v1");
    now += 60_000;
    expect(await cache.get(ARN)).toBe("v2");

    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it("shares one request between concurrent lookups of the same ARN", async () => {
    let release: (v: { SecretString: string }) => void = () => undefined;
    sm.on(GetSecretValueCommand, { SecretId: ARN }).callsFake(() => new Promise((resolve) => (release = resolve)));
    sm.on(GetSecretValueCommand, { SecretId: OTHER }).resolves({ SecretString: "other" });
    const cache = new SecretCache({ client, clock });

    const lookups = [cache.get(ARN), cache.get(ARN), cache.get(OTHER), cache.get(ARN)];
    await new Promise((r) => setImmediate(r));
    release({ SecretString: "shared" });

    expect(await Promise.all(lookups)).toEqual(["shared", "shared", "other", "shared"]);
    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: ARN })).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: OTHER })).toHaveLength(1);
  });

  it("does not cache a failure: the next lookup asks again", async () => {
    sm.on(GetSecretValueCommand, { SecretId: ARN })
      .rejectsOnce(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }))
      .resolvesOnce({ SecretString: "v1" });
    const cache = new SecretCache({ client, clock });

    await expect(cache.get(ARN)).rejects.toThrow(new SecretError(ARN, `could not read secret ${ARN}: ResourceNotFoundException: Secrets Manager can't find the specified secret.`));
    expect(await cache.get(ARN)).toBe("v1");
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it("re-reads after invalidate (credentials rejected by the controller)", async () => {
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolvesOnce({ SecretString: "old" }).resolvesOnce({ SecretString: "new" });
    const cache = new SecretCache({ client, clock });

    expect(await cache.get(ARN)).toBe("old");
    cache.invalidate(ARN);
    expect(await cache.get(ARN)).toBe("new");
  });

  it("rejects a binary secret by ARN", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
    await expect(new SecretCache({ client, clock }).get(ARN)).rejects.toThrow(`secret ${ARN} has no SecretString (binary secrets are not supported)`);
  });

  it("stops waiting when the caller's time runs out", async () => {
    sm.on(GetSecretValueCommand).callsFake(() => new Promise(() => undefined));
    const started = Date.now();
    await expect(new SecretCache({ client }).get(ARN, AbortSignal.timeout(50))).rejects.toThrow(`reading secret ${ARN} ran out of time`);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("parseControllerSecret", () => {
  it("reads basic credentials and API tokens", () => {
    expect(parseControllerSecret(ARN, '{"username":"api","password":"s3cret-pw"}')).toEqual({ kind: "basic", username: "api", password: "s3cret-pw" });
    expect(parseControllerSecret(ARN, '{"apiToken":"tok-123456"}')).toEqual({ kind: "token", apiToken: "tok-123456" });
  });

  it.each([
    ['{"user":"api","pass":"s3cret-pw"}', `secret ${ARN} has the wrong shape (keys: pass, user); expected {"username":"…","password":"…"} or {"apiToken":"…"}`],
    ['{"username":"api"}', `secret ${ARN} has the wrong shape (keys: username); expected {"username":"…","password":"…"} or {"apiToken":"…"}`],
    ["s3cret-pw", `secret ${ARN} is not JSON; expected {"username":"…","password":"…"} or {"apiToken":"…"}`],
    ['["s3cret-pw"]', `secret ${ARN} is not a JSON object; expected {"username":"…","password":"…"} or {"apiToken":"…"}`],
  ])("explains a wrong shape by ARN and expected shape, never the value: %s", (value, message) => {
    let error: unknown;
    try {
      parseControllerSecret(ARN, value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SecretError);
    expect((error as Error).message).toBe(message);
    expect((error as Error).message).not.toContain("s3cret-pw");
  });
});

describe("parseApiKeySecret", () => {
  it.each([
    ["FAKEkey0123456789abcdef01234567", "FAKEkey0123456789abcdef01234567"],
    [" FAKEkey0123456789abcdef01234567\n", "FAKEkey0123456789abcdef01234567"],
    ['{"apiKey":"FAKEkey0123456789abcdef01234567"}', "FAKEkey0123456789abcdef01234567"],
    ['{"api_key":"FAKEkey0123456789abcdef01234567"}', "FAKEkey0123456789abcdef01234567"],
  ])("accepts %j", (value, key) => {
    expect(parseApiKeySecret(ARN, value)).toBe(key);
  });

  it.each(['{"key":"0123456789abcdef"}', "not a key!", '{"apiKey":'])("rejects %j without quoting it", (value) => {
    expect(() => parseApiKeySecret(ARN, value)).toThrow(/^secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:vns3\/a-AbCdEf (has the wrong shape|is not JSON)/);
    expect(() => parseApiKeySecret(ARN, value)).not.toThrow(/0123456789abcdef|not a key/);
  });
});

describe("resolvers", () => {
  const client = new SecretsManagerClient({ region: "eu-west-1" });
  const sm = mockClient(client);
  afterAll(() => sm.restore());
  beforeEach(() => sm.reset());

  const controller = (credentials: ControllerConfig["credentials"]): ControllerConfig => ({ name: "a", host: "h", port: 8000, credentials });

  it("resolves secret credentials and registers them with the redactor", async () => {
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: '{"username":"api","password":"pw-from-secret"}' });
    const redactor = new Redactor();
    const resolver = createCredentialsResolver(new SecretCache({ client }), redactor);

    const credentials = await resolver.resolve(controller({ kind: "secret", secretArn: ARN }), Deadline.after(1000));

    expect(credentials).toEqual({ kind: "basic", username: "api", password: "pw-from-secret" });
    expect(redactor.redact(`x pw-from-secret ${Buffer.from("api:pw-from-secret").toString("base64")} y`)).toBe("x [REDACTED] [REDACTED] y");
  });

  it("returns inline credentials without calling Secrets Manager", async () => {
    const resolver = createCredentialsResolver(new SecretCache({ client }));
    expect(await resolver.resolve(controller({ kind: "token", apiToken: "tok-inline" }), Deadline.after(1000))).toEqual({ kind: "token", apiToken: "tok-inline" });
    expect(sm.calls()).toHaveLength(0);
  });

  it("resolves the Datadog API key from its secret", async () => {
    sm.on(GetSecretValueCommand, { SecretId: OTHER }).resolves({ SecretString: '{"apiKey":"abcdef0123456789"}' });
    expect(await resolveApiKey({ kind: "secret", secretArn: OTHER }, new SecretCache({ client }), Deadline.after(1000))).toBe("abcdef0123456789");
  });
});
