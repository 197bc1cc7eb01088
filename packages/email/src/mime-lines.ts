/**
 * A raw message as lines, and what postal-mime's decoders make of a run of them — mirrored exactly,
 * so compact-mime.ts can join a part's lines into one without changing what the mail says.
 */
import { countWork } from './work-counter';

/** Where each line starts and its content ends (CR/LF excluded). */
export interface LineTable {
  start: Uint32Array;
  end: Uint32Array;
  count: number;
}

/**
 * How many lines `lineTable` would find (a last line without a line break counts; an empty input
 * has none), with the native byte search instead of a loop over every byte.
 *
 * @example
 * lineCount(new TextEncoder().encode('a\r\nb')); // 2
 */
export function lineCount(bytes: Uint8Array): number {
  let count = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) count++;
  countWork('parse', bytes.length);
  // A final line break ends the last line rather than opening an empty one.
  return bytes.length > 0 && bytes[bytes.length - 1] === 0x0a ? count - 1 : bytes.length === 0 ? 0 : count;
}

/**
 * Line starts and content ends (CR/LF excluded), as postal-mime's readLine splits them.
 *
 * @example
 * lineTable(new TextEncoder().encode('a\r\nbc')).count; // 2
 */
export function lineTable(bytes: Uint8Array): LineTable {
  let count = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) count++;
  const start = new Uint32Array(count);
  const end = new Uint32Array(count);
  let n = 0;
  let s = 0;
  let e = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x0d && c !== 0x0a) e = i + 1;
    if (c === 0x0a) {
      start[n] = s;
      end[n] = Math.max(e, s);
      n++;
      s = i + 1;
      e = s;
    }
  }
  if (s < bytes.length) {
    start[n] = s;
    end[n] = Math.max(e, s);
    n++;
  }
  countWork('parse', bytes.length);
  return { start, end, count: n };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) B64_VALUE[B64.charCodeAt(i)] = i;
const B64_CODE = Uint8Array.from(B64, (c) => c.charCodeAt(0));

/**
 * Standard base64, one line, padded only at its end.
 *
 * @example
 * new TextDecoder().decode(toBase64(new TextEncoder().encode('hi'))); // 'aGk='
 */
export function toBase64(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  base64Into(bytes, out, 0);
  return out;
}

/**
 * `toBase64` written into `out` from `at` (which must have room for it), so a caller building a
 * message around it copies nothing twice; returns where the base64 ends.
 *
 * @example
 * const out = new Uint8Array(6);
 * base64Into(new TextEncoder().encode('hi'), out, 2); // 6; out holds 0, 0, then 'aGk='
 */
export function base64Into(bytes: Uint8Array, out: Uint8Array, at: number): number {
  let o = at;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = B64_CODE[n >> 18]!;
    out[o++] = B64_CODE[(n >> 12) & 63]!;
    out[o++] = B64_CODE[(n >> 6) & 63]!;
    out[o++] = B64_CODE[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = B64_CODE[n >> 18]!;
    out[o++] = B64_CODE[(n >> 12) & 63]!;
    out[o++] = rest === 2 ? B64_CODE[(n >> 6) & 63]! : 0x3d;
    out[o++] = 0x3d;
  }
  return o;
}

/**
 * The bytes postal-mime's base64 decoder makes of these lines: characters outside the alphabet
 * dropped, `=` ending a unit, each unit decoded on its own (a stray single character dropped).
 *
 * @example
 * const bytes = new TextEncoder().encode('YQ==\r\nYg==\r\n');
 * decodeBase64Lines(bytes, lineTable(bytes), 0, 2); // bytes of 'ab'
 */
export function decodeBase64Lines(bytes: Uint8Array, t: LineTable, from: number, to: number): Uint8Array {
  let chars = 0;
  for (let l = from; l < to; l++) chars += t.end[l]! - t.start[l]!;
  const out = new Uint8Array(Math.ceil((chars * 3) / 4) + 3);
  let o = 0;
  const quad = [0, 0, 0, 0];
  let k = 0;
  // A unit's last group: one character is no byte, two make one, three make two.
  const endUnit = () => {
    if (k >= 2) out[o++] = ((quad[0]! << 2) | (quad[1]! >> 4)) & 255;
    if (k === 3) out[o++] = (((quad[1]! & 15) << 4) | (quad[2]! >> 2)) & 255;
    k = 0;
  };
  for (let l = from; l < to; l++) {
    for (let i = t.start[l]!; i < t.end[l]!; i++) {
      const c = bytes[i]!;
      if (c === 0x3d) {
        endUnit();
        continue;
      }
      const v = B64_VALUE[c]!;
      if (v < 0) continue;
      quad[k++] = v;
      if (k === 4) {
        out[o++] = ((quad[0]! << 2) | (quad[1]! >> 4)) & 255;
        out[o++] = (((quad[1]! & 15) << 4) | (quad[2]! >> 2)) & 255;
        out[o++] = (((quad[2]! & 3) << 6) | quad[3]!) & 255;
        k = 0;
      }
    }
  }
  endUnit();
  return out.subarray(0, o);
}

/**
 * The bytes postal-mime's pass-through decoder makes of these lines: each line and a `\n`.
 *
 * @example
 * const bytes = new TextEncoder().encode('a\r\nb\r\n');
 * passLines(bytes, lineTable(bytes), 0, 2); // bytes of 'a\nb\n'
 */
export function passLines(bytes: Uint8Array, t: LineTable, from: number, to: number): Uint8Array {
  let size = 0;
  for (let l = from; l < to; l++) size += t.end[l]! - t.start[l]! + 1;
  const out = new Uint8Array(size);
  let o = 0;
  for (let l = from; l < to; l++) {
    out.set(bytes.subarray(t.start[l]!, t.end[l]!), o);
    o += t.end[l]! - t.start[l]!;
    out[o++] = 0x0a;
  }
  return out;
}
