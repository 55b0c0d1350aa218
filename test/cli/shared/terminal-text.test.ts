/** Text from a controller reaches the terminal escaped and bounded. */
import { terminalSafe } from "../../../cli/shared/terminal-text";

const ESC = String.fromCharCode(0x1b);

describe("terminalSafe", () => {
  it.each([
    ["an ESC sequence that recolours and clears the screen", `ok${ESC}[31mred${ESC}[2J`, "ok\\e[31mred\\e[2J"],
    ["a carriage return that would overwrite the line", "fine\rEVIL", "fine\\rEVIL"],
    ["a newline and a tab", "a\nb\tc", "a\\nb\\tc"],
    ["a bell and NUL", "x\u0007y\u0000", "x\\x07y\\x00"],
    ["DEL and a C1 CSI", "x\u007fy\u009b31m", "x\\x7fy\\x9b31m"],
    ["a right-to-left override", "invoice\u202Efdp.exe", "invoice\\u202efdp.exe"],
    ["an isolate and a line separator", "a\u2066b\u2028c", "a\\u2066b\\u2028c"],
  ])("escapes %s", (_what, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });

  it("passes printable text, accents and emoji unchanged", () => {
    expect(terminalSafe("Payments (Backup) Zürich ✓ 🚀")).toBe("Payments (Backup) Zürich ✓ 🚀");
  });

  it("cuts long text to the bound, counting escapes, with an ellipsis", () => {
    expect(terminalSafe("abcdefghij", 5)).toBe("abcd…");
    expect(terminalSafe("abcde", 5)).toBe("abcde");
    expect(terminalSafe(`abc${ESC}`, 5)).toBe("abc\\e");
    expect(terminalSafe(`abcd${ESC}`, 5)).toBe("abcd…");
    expect(Array.from(terminalSafe("x".repeat(10_000))).length).toBe(200);
  });
});
