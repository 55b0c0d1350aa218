/** Hosts as operators paste them: host, host:port, bracketed IPv6, a URL. */
import { formatHostPort, parseHostPort } from "../../../cli/shared/host-port";

describe("parseHostPort", () => {
  it.each([
    ["10.0.1.10", { ok: true, host: "10.0.1.10" }],
    ["10.0.1.10:8000", { ok: true, host: "10.0.1.10", port: 8000 }],
    ["vns3.acme.internal:8443", { ok: true, host: "vns3.acme.internal", port: 8443 }],
    ["[fd00::10]:8000", { ok: true, host: "fd00::10", port: 8000 }],
    ["[fd00::10]", { ok: true, host: "fd00::10" }],
    ["fd00::10", { ok: true, host: "fd00::10" }],
    ["https://10.0.1.10:8000/", { ok: true, host: "10.0.1.10", port: 8000 }],
    ["  10.0.1.10:8000  ", { ok: true, host: "10.0.1.10", port: 8000 }],
  ])("reads %j", (input, expected) => {
    expect(parseHostPort(input)).toEqual(expected);
  });

  it.each([
    ["", "expected an IP address or DNS name, optionally with :port (10.0.1.10, 10.0.1.10:8000, [fd00::10]:8000)"],
    ["10.0.1.10:0", "expected an IP address or DNS name, optionally with :port (10.0.1.10, 10.0.1.10:8000, [fd00::10]:8000)"],
    ["10.0.1.10:http", "expected an IP address or DNS name, optionally with :port (10.0.1.10, 10.0.1.10:8000, [fd00::10]:8000)"],
    ["[fd00::10]:70000", 'expected a port 1-65535 after "[fd00::10]:"'],
    ["fd00::10::1:8000x", "expected an IPv6 address in brackets when a port follows, e.g. [fd00::10]:8000"],
  ])("refuses %j, saying what it expects", (input, problem) => {
    expect(parseHostPort(input)).toEqual({ ok: false, problem });
  });

  it("writes IPv6 back in brackets", () => {
    expect(formatHostPort("fd00::10", 8000)).toBe("[fd00::10]:8000");
    expect(formatHostPort("10.0.1.10", 8000)).toBe("10.0.1.10:8000");
  });
});
