import { normalizeTagValue, tag } from "../../handler/tags";

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
