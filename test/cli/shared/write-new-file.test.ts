/** Files are created atomically and never over an existing one. */
import * as fs from "node:fs";
import * as path from "node:path";
import { FileExistsError, writeNewFileAtomic } from "../../../cli/shared/write-new-file";
import { tempDir } from "../../helpers/cli-harness";

describe("writeNewFileAtomic", () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.remove());

  it("creates the file and leaves no temporary file behind", () => {
    const file = path.join(tmp.dir, "a.yaml");

    writeNewFileAtomic(file, "name: a\n");

    expect(fs.readFileSync(file, "utf8")).toBe("name: a\n");
    expect(fs.readdirSync(tmp.dir)).toEqual(["a.yaml"]);
  });

  it("refuses an existing file, keeps its content and cleans up", () => {
    const file = path.join(tmp.dir, "a.yaml");
    fs.writeFileSync(file, "original\n");

    expect(() => writeNewFileAtomic(file, "new\n")).toThrow(FileExistsError);

    expect(fs.readFileSync(file, "utf8")).toBe("original\n");
    expect(fs.readdirSync(tmp.dir)).toEqual(["a.yaml"]);
  });
});
