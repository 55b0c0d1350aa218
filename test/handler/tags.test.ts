import {
  assignEndpointTags,
  assignTunnelTags,
  idTagValue,
  tunnelIdTag,
  endpointNameTag,
  MAX_CACHED_ENTRIES,
  MAX_TAG_INPUT_LENGTH,
  normalizationCacheSize,
  normalizeTagValue,
  suffixedTagValue,
  tag,
  tunnelNameTag,
} from "../../handler/tags";

describe("normalizeTagValue", () => {
  it.each([
    ["Payments primary", "payments_primary"],
    ["ACME Payments (Backup)", "acme_payments_backup"],
    ["  leading and trailing  ", "_leading_and_trailing"],
    ["a  --  b", "a_--_b"],
    ["keep:colons/slashes.dots-dashes_underscores", "keep:colons/slashes.dots-dashes_underscores"],
    ["Zürich Börse", "zürich_börse"],
    ["東京 DC", "東京_dc"],
    ["Tunnel #4!!!", "tunnel_4"],
    ["tab\there", "tab_here"],
    ["emoji 🚀 link", "emoji_link"],
    ["!!!", ""],
    ["", ""],
    // Datadog: "A tag cannot end with a colon" (DataDog/documentation, getting_started/tagging).
    ["Payments primary:", "payments_primary"],
    ["Backup: ", "backup"],
    ["a:_:", "a"],
    [":::", ""],
    ["keep:inner", "keep:inner"],
  ])("turns %j into %j", (input, expected) => {
    expect(normalizeTagValue(input)).toBe(expected);
  });

  it("gives one tag for composed and decomposed accents", () => {
    const composed = "Caf\u00e9";
    const decomposed = "Cafe\u0301";
    expect(normalizeTagValue(decomposed)).toBe("café");
    expect(normalizeTagValue(composed)).toBe(normalizeTagValue(decomposed));
  });

  it("cuts to the maximum length and drops an underscore left at the cut", () => {
    expect(normalizeTagValue("a".repeat(250))).toBe("a".repeat(200));
    expect(normalizeTagValue(`${"b".repeat(9)} tail`, 10)).toBe("b".repeat(9));
  });

  it("drops a colon left at the cut", () => {
    expect(normalizeTagValue("abcd:efgh", 5)).toBe("abcd");
  });

  it("looks at a bounded prefix of a long input only", () => {
    const long = `${"a".repeat(MAX_TAG_INPUT_LENGTH - 1)}    ${"b".repeat(5_000_000)}`;
    // The cut keeps the first MAX_TAG_INPUT_LENGTH units: "a"×(MAX-1) then one space, which trims away.
    expect(normalizeTagValue(long, 10_000)).toBe("a".repeat(MAX_TAG_INPUT_LENGTH - 1));
  });

  it("never splits a surrogate pair at the input cut", () => {
    const value = `${"x".repeat(MAX_TAG_INPUT_LENGTH - 1)}\u{10400}`;
    expect(normalizeTagValue(value, 10_000)).toBe("x".repeat(MAX_TAG_INPUT_LENGTH - 1));
  });

  it("remembers short inputs only, and a bounded number of them", () => {
    const before = normalizationCacheSize();
    normalizeTagValue(`long ${"z".repeat(300)}`);
    expect(normalizationCacheSize()).toBe(before);
    for (let i = 0; i < MAX_CACHED_ENTRIES + 100; i += 1) normalizeTagValue(`tunnel ${i}`);
    expect(normalizationCacheSize()).toBe(MAX_CACHED_ENTRIES);
    // Still correct after eviction.
    expect(normalizeTagValue("tunnel 0")).toBe("tunnel_0");
  });

  it("counts code points, never splitting a character outside the BMP", () => {
    const value = `${"x".repeat(9)}\u{10400}\u{10401}`; // Deseret capitals: letters, 2 UTF-16 units each
    expect(normalizeTagValue(value, 10)).toBe(`${"x".repeat(9)}\u{10428}`); // lowercased, second one cut whole
  });
});

describe("tag", () => {
  it("keeps key plus value within 200 characters", () => {
    const t = tag("tunnel", "y".repeat(300));
    expect(t).toBe(`tunnel:${"y".repeat(193)}`);
    expect(t).toHaveLength(200);
  });
});

describe("tunnelNameTag and endpointNameTag", () => {
  it("give a definition's name the value the checker tags a unique tunnel or partner with", () => {
    expect(tunnelNameTag("Payments (Backup) — Zürich")).toBe("payments_backup_zürich");
    expect(tunnelNameTag("x".repeat(300))).toBe("x".repeat(193));
    expect(endpointNameTag("ACME Payments:")).toBe("acme_payments");
    expect(endpointNameTag("y".repeat(300))).toBe("y".repeat(191));
  });
});

describe("suffixedTagValue", () => {
  it("appends -<controller>-<id> and cuts the base, never the suffix, to fit", () => {
    expect(suffixedTagValue("payments_primary", "VNS3 A", "4", 193)).toBe("payments_primary-vns3_a-4");
    const long = suffixedTagValue("p".repeat(193), "vns3-a", "12", 193);
    expect(long).toBe(`${"p".repeat(193 - "-vns3-a-12".length)}-vns3-a-12`);
    expect(Array.from(long)).toHaveLength(193);
  });
});

describe("assignTunnelTags", () => {
  it("keeps a unique description as it is", () => {
    expect(
      assignTunnelTags([
        { controller: "vns3-a", id: "1", description: "Payments primary" },
        { controller: "vns3-a", id: "2", description: "Payments backup" },
      ]),
    ).toEqual({ values: ["payments_primary", "payments_backup"], shared: [] });
  });

  it("suffixes both tunnels that share a normalized description on one controller", () => {
    expect(
      assignTunnelTags([
        { controller: "vns3-a", id: "1", description: "Payments" },
        { controller: "vns3-a", id: "2", description: "payments!" },
        { controller: "vns3-a", id: "3", description: "Feed" },
      ]),
    ).toEqual({
      values: ["payments-vns3-a-1", "payments-vns3-a-2", "feed"],
      shared: [
        {
          tag: "payments",
          tunnels: [
            { controller: "vns3-a", id: "1" },
            { controller: "vns3-a", id: "2" },
          ],
        },
      ],
    });
  });

  it("suffixes tunnels that share a description across two controllers, even with equal ids", () => {
    expect(
      assignTunnelTags([
        { controller: "vns3-a", id: "1", description: "Payments primary" },
        { controller: "vns3-b", id: "1", description: "Payments primary" },
      ]).values,
    ).toEqual(["payments_primary-vns3-a-1", "payments_primary-vns3-b-1"]);
  });

  it("suffixes tunnels with empty descriptions whose ids meet across controllers", () => {
    expect(
      assignTunnelTags([
        { controller: "a", id: "7", description: "" },
        { controller: "b", id: "7", description: "()" },
      ]),
    ).toEqual({
      values: ["7-a-7", "7-b-7"],
      shared: [
        {
          tag: "7",
          tunnels: [
            { controller: "a", id: "7" },
            { controller: "b", id: "7" },
          ],
        },
      ],
    });
  });

  it("suffixes a unique description that a suffixed value would meet", () => {
    const { values } = assignTunnelTags([
      { controller: "a", id: "1", description: "x" },
      { controller: "a", id: "2", description: "x" },
      { controller: "b", id: "9", description: "x-a-1" },
    ]);
    expect(values).toEqual(["x-a-1", "x-a-2", "x-a-1-b-9"]);
    expect(new Set(values).size).toBe(3);
  });
});

describe("assignEndpointTags", () => {
  it("treats one endpoint name on the two controllers of an HA pair as one partner", () => {
    expect(
      assignEndpointTags([
        { controller: "vns3-a", endpointName: "ACME Payments", endpointId: "2" },
        { controller: "vns3-a", endpointName: "ACME Payments", endpointId: "2" },
        { controller: "vns3-b", endpointName: "acme payments", endpointId: "5" },
      ]),
    ).toEqual({ values: ["acme_payments", "acme_payments", "acme_payments"], shared: [] });
  });

  it("suffixes every endpoint with a name that two endpoints of one controller share", () => {
    expect(
      assignEndpointTags([
        { controller: "vns3-a", endpointName: "Partner", endpointId: "1" },
        { controller: "vns3-a", endpointName: "partner", endpointId: "3" },
        { controller: "vns3-b", endpointName: "Partner", endpointId: "1" },
        { controller: "vns3-b", endpointName: "Other", endpointId: "2" },
        { controller: "vns3-b" },
      ]),
    ).toEqual({
      values: ["partner-vns3-a-1", "partner-vns3-a-3", "partner-vns3-b-1", "other", ""],
      shared: [
        {
          tag: "partner",
          endpoints: [
            { controller: "vns3-a", endpointId: "1" },
            { controller: "vns3-a", endpointId: "3" },
            { controller: "vns3-b", endpointId: "1" },
          ],
        },
      ],
    });
  });
});

describe("ids that differ only in case", () => {
  it("get distinct tunnel_id tags, and integer ids stay as they are", () => {
    expect(tunnelIdTag("12")).toBe("tunnel_id:12");
    expect(tunnelIdTag("a")).toBe("tunnel_id:a");
    const upper = tunnelIdTag("A");
    expect(upper).toMatch(/^tunnel_id:a-[0-9a-f]{8}$/);
    expect(upper).not.toBe(tunnelIdTag("a"));
    expect(idTagValue("x y", 100)).not.toBe(idTagValue("x_y", 100));
  });

  it("get distinct tunnel tags when their descriptions are empty or shared on one controller", () => {
    const empty = assignTunnelTags([
      { controller: "vns3-a", id: "A", description: "" },
      { controller: "vns3-a", id: "a", description: "" },
    ]);
    expect(new Set(empty.values).size).toBe(2);
    const shared = assignTunnelTags([
      { controller: "vns3-a", id: "Tun", description: "feed" },
      { controller: "vns3-a", id: "tun", description: "feed" },
    ]);
    expect(shared.values[1]).toBe("feed-vns3-a-tun");
    expect(shared.values[0]).toMatch(/^feed-vns3-a-tun-[0-9a-f]{8}$/);
  });
});
