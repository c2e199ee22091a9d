export type Environment = Readonly<Record<string, string | undefined>>;

export interface TextSink {
  write(text: string): unknown;
}

/**
 * What a run of the CLI talks to: its environment and output streams. Given by main.ts (the
 * process's) or by a test (strings), so no command reads `process` itself.
 */
export class CliContext {
  constructor(
    readonly env: Environment,
    readonly stdout: TextSink,
    readonly stderr: TextSink,
  ) {}
}
