/** One physical line of a container runtime's log file, parsed (CRI or Docker json-file). */
export type LogStream = 'stdout' | 'stderr';

export interface ContainerLogEntry {
  readonly stream: LogStream;
  /** False for a partial piece: the logical line continues in the next entry of the same stream. */
  readonly final: boolean;
  /** The piece of the logical line, exactly as the container wrote it, without its newline. */
  readonly content: Buffer;
}

export type ParsedEntry = ContainerLogEntry | { readonly error: string };
