/**
 * The devserver's state file: an append-only journal of frames, each one group commit.
 *
 *   file  = "YIDIDSJ1" frame*
 *   frame = length:u32le crc32(payload):u32le payload   (payload: UTF-8 JSON array of records)
 *
 * A frame is written whole and fdatasync'd before any RPC it carries is answered; a frame is all or
 * nothing on load, so one commit (which may touch several runs, e.g. a parent and its new child) is
 * atomic. Compaction writes a fresh file with one frame (the snapshot) next to it, fsyncs it and
 * renames it over the old one. A lock file (`<file>.lock`, the owner's pid) keeps a second devserver off.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('YIDIDSJ1');
const FRAME_HEADER = 8;

/** The state file cannot be used: corrupt, unreadable, or owned by another devserver. */
export class StateFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`devserver state file ${file}: ${message}`);
    this.name = 'StateFileError';
  }
}

export type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

/** Files locked by this process: a second devserver in the same process is refused too. */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(FRAME_HEADER);
  head.writeUInt32LE(payload.length, 0);
  head.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([head, payload]);
}

function allZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

export class Journal {
  private fd: number;
  /** Bytes of valid journal; the next frame goes here. */
  private size: number;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly lockFile: string,
    fd: number,
    size: number,
  ) {
    this.fd = fd;
    this.size = size;
  }

  /**
   * Lock the file, read every frame, and cut off a torn last frame (a crash mid-write) with a log
   * line. Anything else that does not read back is a StateFileError naming the file.
   */
  static open(file: string, log: Log): { journal: Journal; frames: string[] } {
    const abs = path.resolve(file);
    const lockFile = `${abs}.lock`;
    try {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
    } catch (e) {
      throw new StateFileError(abs, `cannot create its folder: ${(e as Error).message}`);
    }
    lock(abs, lockFile);
    try {
      return Journal.read(abs, lockFile, log);
    } catch (e) {
      unlock(abs, lockFile);
      throw e;
    }
  }

  private static read(abs: string, lockFile: string, log: Log): { journal: Journal; frames: string[] } {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StateFileError(abs, `cannot read it: ${(e as Error).message}`);
      }
      buf = Buffer.alloc(0);
    }
    if (buf.length === 0) {
      // New (or created empty by hand): start it with the header, durably, before anything else.
      writeAtomically(abs, MAGIC);
      return { journal: new Journal(abs, lockFile, fs.openSync(abs, 'r+'), MAGIC.length), frames: [] };
    }
    if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new StateFileError(
        abs,
        'not a devserver state file (bad header); move it away or pass another file',
      );
    }
    const frames: string[] = [];
    let off = MAGIC.length;
    while (off < buf.length) {
      const rest = buf.length - off;
      const n = rest >= FRAME_HEADER ? buf.readUInt32LE(off) : -1;
      const end = off + FRAME_HEADER + n;
      const whole = n > 0 && end <= buf.length;
      if (whole && crc32(buf.subarray(off + FRAME_HEADER, end)) === buf.readUInt32LE(off + 4)) {
        frames.push(buf.toString('utf8', off + FRAME_HEADER, end));
        off = end;
        continue;
      }
      // A frame that runs past the end, or a bad one with only zeros after it, is the one being
      // written when the process died: nothing in it was acknowledged.
      if (!whole ? n !== 0 || allZero(buf, off) : end === buf.length || allZero(buf, end)) {
        log('warn', `devserver state file ${abs}: cut off a torn last record at byte ${off} (${rest} bytes)`);
        try {
          fs.truncateSync(abs, off);
        } catch (e) {
          throw new StateFileError(abs, `cannot cut off its torn last record: ${(e as Error).message}`);
        }
        break;
      }
      throw new StateFileError(
        abs,
        `corrupt record at byte ${off} (checksum mismatch) with more records after it; ` +
          'restore a backup or move the file away',
      );
    }
    return { journal: new Journal(abs, lockFile, fs.openSync(abs, 'r+'), off), frames };
  }

  get bytes(): number {
    return this.size;
  }

  /** Append one frame and fdatasync it; resolves once it is on disk. */
  append(payload: Buffer): Promise<void> {
    const data = frame(payload);
    const at = this.size;
    this.size += data.length;
    return new Promise<void>((resolve, reject) => {
      const write = (done: number) => {
        fs.write(this.fd, data, done, data.length - done, at + done, (err, written) => {
          if (err) return reject(err);
          if (done + written < data.length) return write(done + written);
          fs.fdatasync(this.fd, (e) => (e ? reject(e) : resolve()));
        });
      };
      write(0);
    });
  }

  /** Replace the whole journal with one frame (compaction). Call only while no append is in flight. */
  rewrite(payload: Buffer): void {
    const data = Buffer.concat([MAGIC, frame(payload)]);
    writeAtomically(this.file, data);
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file, 'r+');
    this.size = data.length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
    unlock(this.file, this.lockFile);
  }
}

/** Write a file whole or not at all: temp file, fsync, rename, fsync the folder. */
function writeAtomically(file: string, data: Buffer): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

function lock(file: string, lockFile: string): void {
  if (heldHere.has(file)) {
    throw new StateFileError(file, `in use by another devserver in this process (pid ${process.pid})`);
  }
  for (let tries = 0; ; tries++) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      heldHere.add(file);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 0) {
        throw new StateFileError(file, `cannot create its lock file ${lockFile}: ${(e as Error).message}`);
      }
    }
    let owner = Number.NaN;
    try {
      owner = Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
    } catch {
      // Removed meanwhile: try again.
    }
    if (owner !== process.pid && isAlive(owner)) {
      throw new StateFileError(
        file,
        `in use by another running devserver (pid ${owner}, lock file ${lockFile}); stop it first`,
      );
    }
    // Left behind by a devserver that is gone.
    fs.rmSync(lockFile, { force: true });
  }
}

function unlock(file: string, lockFile: string): void {
  heldHere.delete(file);
  try {
    if (Number.parseInt(fs.readFileSync(lockFile, 'utf8'), 10) === process.pid) fs.rmSync(lockFile);
  } catch {
    // Already gone.
  }
}
