import { encodedSize } from '../../src/journal/disk/record-codec.js';
import { runEventLogContract } from './event-log-contract.js';
import { accepted } from './helpers.js';
import { openJournal, removeAll, tempDir } from './journal-fixture.js';

const recordBytes = Math.max(...accepted(20).map(encodedSize));

for (const fsync of ['always', 'never'] as const) {
  runEventLogContract({
    name: `disk journal (fsync ${fsync})`,
    // One append per segment (segmentBytes 1), so GC can free space record by record.
    open: (o) =>
      openJournal({
        dir: tempDir(),
        fsync,
        sinkNames: o.sinkNames,
        maxBytes: o.maxBytes ?? 1 << 30,
        whenFull: o.whenFull ?? 'block',
        segmentBytes: 1,
      }),
    maxBytesFor: (records) => records * recordBytes,
    cleanup: () => Promise.resolve(removeAll()),
  });
}
