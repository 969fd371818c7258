const BOM = [0xef, 0xbb, 0xbf];

/** The stream without a leading UTF-8 byte-order mark, however the first chunks are cut. */
export async function* withoutByteOrderMark(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let head = Buffer.alloc(0);
  let decided = false;
  for await (const chunk of source) {
    if (decided) {
      yield chunk;
      continue;
    }
    head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, 3);
    if (!BOM.slice(0, n).every((b, i) => head[i] === b)) {
      decided = true;
      yield head;
    } else if (head.length >= 3) {
      decided = true;
      if (head.length > 3) yield head.subarray(3);
    }
  }
  if (!decided && head.length) yield head;
}
