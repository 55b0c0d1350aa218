/**
 * Creates a file atomically and never over an existing one: the text goes to a hidden temporary
 * file in the same folder, is flushed to disk, then hard-linked into place. `link` fails when the
 * target exists (where `rename` would silently replace it), so two concurrent runs cannot both
 * win, and a crash leaves at most a hidden `.<name>.<pid>.tmp` that no loader reads.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/** The target already exists; nothing was written. */
export class FileExistsError extends Error {
  constructor(readonly file: string) {
    super(`${file} already exists`);
    this.name = "FileExistsError";
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Not every platform can fsync a directory (Windows); the file itself is already synced.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes `text` to `file`, which must not exist yet. Creates the folder if needed.
 * @throws FileExistsError when `file` exists (or appears meanwhile); nothing is left behind.
 */
export function writeNewFileAtomic(file: string, text: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  if (fs.existsSync(file)) throw new FileExistsError(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = fs.openSync(temp, "wx", 0o644);
  try {
    fs.writeFileSync(fd, text, "utf8");
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    try {
      fs.linkSync(temp, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") throw new FileExistsError(file);
      // File systems without hard links: rename is still atomic, the existence check above guards.
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EXDEV") throw error;
      if (fs.existsSync(file)) throw new FileExistsError(file);
      fs.renameSync(temp, file);
    }
    fsyncDir(dir);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
