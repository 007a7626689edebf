/**
 * Which files the input follows: the include globs, minus the exclude globs, evaluated again on
 * every discovery tick (new pods, restarted containers, rotations). tinyglobby (fdir + picomatch)
 * walks the file system; picomatch alone filters the excludes, so an exclude such as `**\/*.gz`
 * applies to absolute paths whatever the include's base directory.
 */
import picomatch from 'picomatch';
import { glob } from 'tinyglobby';

/** Compressed and half-written rotated files (kubelet writes `X.tmp`, renames it to `X.gz`). */
export const DEFAULT_EXCLUDE: readonly string[] = ['**/*.gz', '**/*.tmp'];

export type Discover = () => Promise<string[]>;

export function createDiscover(include: readonly string[], exclude: readonly string[]): Discover {
  const excluded = isExcludedBy(exclude);
  return async () => {
    const paths = await glob([...include], {
      absolute: true,
      onlyFiles: true,
      dot: true,
      expandDirectories: false,
    });
    return paths.filter((path) => !excluded(path)).sort();
  };
}

export function isExcludedBy(exclude: readonly string[]): (path: string) => boolean {
  return exclude.length > 0 ? picomatch([...exclude], { dot: true }) : () => false;
}
