/** A configuration problem found at start: the hub refuses to run, naming the file, field and fault. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: readonly { pointer: string; message: string }[],
  ) {
    super(
      `invalid configuration in ${file}:\n` + problems.map((p) => `  ${p.pointer || '/'}: ${p.message}`).join('\n'),
    );
  }
}
