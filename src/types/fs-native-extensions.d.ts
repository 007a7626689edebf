/**
 * fs-native-extensions ships no types. Only its advisory locks are used (src/journal/disk/lock.ts). They
 * are kernel locks on an open file: Linux open-file-description locks (fcntl F_OFD_SETLK), fcntl
 * locks on macOS, LockFileEx on Windows; the kernel drops them when the descriptor is closed or the
 * process ends in any way. `tryLock` returns false when another holder conflicts (EAGAIN) and
 * throws for any other error; `shared: true` asks for a read lock instead of an exclusive one.
 */
declare module 'fs-native-extensions' {
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
  export function unlock(fd: number): void;
}
