/**
 * The error catalogue and the exit-code table, in one place. Every error an operator may have to
 * act on carries a stable code (`code: "WS_ERR_…"` in its log line), so alerts and runbooks can
 * key on it; docs/errors.md says what each means and what to do (test/docs/errors-doc.test.ts
 * keeps the two in step). Codes are never renamed or reused; add new ones at the end.
 */

/** Process exit codes (README "Shutdown and exit codes"); sysexits.h numbers where one fits. */
export const EXIT = {
  /** Input read to its end (or stopped by a signal), every accepted event delivered or dead-lettered. */
  OK: 0,
  /** --check-config --online: a sink's receiver cannot be used as configured (EX_UNAVAILABLE). */
  CHECK_FAILED: 69,
  /** A bug: please report it with the log (EX_SOFTWARE). */
  INTERNAL: 70,
  /** I/O: the machine is not ready, stdout failed, or dead-letter records were lost (EX_IOERR). */
  IO: 74,
  /** Stopped with events not yet delivered; they stay in the journal (EX_TEMPFAIL). */
  UNDELIVERED: 75,
  /** Configuration error, every problem at once (EX_CONFIG). */
  CONFIG: 78,
  /** A second SIGINT: exited at once (128 + 2). */
  SECOND_SIGINT: 130,
  /** The reader closed stdout, like `cat` (128 + SIGPIPE). */
  STDOUT_CLOSED: 141,
  /** A second SIGTERM: exited at once (128 + 15). */
  SECOND_SIGTERM: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface ErrorEntry {
  /** What happened, in one line. */
  readonly what: string;
  /** The exit code when this error ends the run. */
  readonly exit?: ExitCode;
}

export const ERRORS = {
  WS_ERR_CONFIG: {
    what: 'the configuration (file, flags, variables or a file it names) is invalid',
    exit: EXIT.CONFIG,
  },
  WS_ERR_NOT_READY: {
    what: 'the machine is not ready to run: data dir or dead-letter file not writable, metrics port taken',
    exit: EXIT.IO,
  },
  WS_ERR_LOCKED: { what: 'another wirety-ship uses the journal directory', exit: EXIT.IO },
  WS_ERR_STARTUP_IO: {
    what: 'an I/O error while starting (opening the journal, a file, a socket)',
    exit: EXIT.IO,
  },
  WS_ERR_INPUT_IO: { what: 'reading the input failed', exit: EXIT.IO },
  WS_ERR_JOURNAL_DAMAGED: {
    what: 'a journal segment is damaged; the records after the damage in it are skipped',
  },
  WS_ERR_DISK_FULL: { what: 'the disk is full: writing waits (backpressure) until there is space' },
  WS_ERR_SINK_REFUSED: {
    what: 'a receiver refuses this sink as configured (credentials, permissions, URL); events are kept',
  },
  WS_ERR_DEAD_LETTER_UNWRITABLE: {
    what: 'the dead-letter file cannot be written; input is paused until it can',
  },
  WS_ERR_DEAD_LETTER_LOST: {
    what: 'records meant for the dead-letter file could not be written before shutdown',
    exit: EXIT.IO,
  },
  WS_ERR_INTERNAL: { what: 'an internal error (a bug)', exit: EXIT.INTERNAL },
} as const satisfies Record<`WS_ERR_${string}`, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;
