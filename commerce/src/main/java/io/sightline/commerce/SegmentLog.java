package io.sightline.commerce;

import io.sightline.core.StoreException;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.store.RecordFrames;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The changes to a segment's HNSW file since it was last saved whole: an append-only log beside
 * it ({@code apparel.hnsw.log}), so that indexing or removing a few products appends their
 * vectors (fsynced) instead of rewriting the whole file, and searches are not blocked while a
 * large file is written. The log is compacted (the file saved whole, the log emptied) when it
 * grows past a quarter of the file, or holds more records than a reopen should replay.
 *
 * <pre>
 * header : magic "SLSEGLG1" | dimension (int) | crc32c (int)
 * record : length (int) | type (byte) | payload | crc32c of type+payload (int)
 * ADD    : key (UTF) | n attributes (int) | n × (name UTF, value UTF) | dimension floats
 * REMOVE : key (UTF)
 * </pre>
 *
 * <p>Replaying the log over the file is idempotent (an add replaces, a remove deletes if present),
 * so a crash between saving the file whole and emptying the log leaves a correct pair. A torn last
 * record (a crash while appending) is dropped; damage elsewhere fails the open, and the catalog
 * then rebuilds the segment from its database. Package-private; the writer serialises appends.
 */
final class SegmentLog {
  private static final Logger LOG = LoggerFactory.getLogger(ProductCatalog.class);
  private static final byte[] MAGIC = "SLSEGLG1".getBytes(StandardCharsets.US_ASCII);
  private static final byte ADD = 1;
  private static final byte REMOVE = 2;
  private static final int MAX_RECORD = 64 << 20;
  /**
   * The log is compacted when it exceeds this share of the segment file (and {@link #minCompactBytes});
   * a quarter. The benchmark sets both to 0 to save the file whole on every write, as before the log.
   */
  static volatile double compactShare = 0.25;
  /** The smallest log that is compacted (1 MiB); tests lower it. */
  static volatile long minCompactBytes = 1 << 20;
  /**
   * The log is also compacted when it holds about this many records, however small it is next to
   * the file: a reopen replays the log by inserting every added vector into the graph again, one
   * by one (about 3 ms each at 310-d and efConstruction 200: a 20,000-product batch left in the log
   * made a 100k catalog's reopen take 65 s, BENCHMARKS.md). 5,000 keeps a reopen's replay to
   * seconds; at 1M products it saves the file whole about once per 50 writes of 100 products.
   */
  static volatile int maxReplayRecords = 5_000;

  private SegmentLog() {}

  /** @return the log of a segment file */
  static Path of(Path segmentFile) {
    return segmentFile.resolveSibling(segmentFile.getFileName() + ".log");
  }

  /** One change to a segment: an add (vector not null) or a remove. */
  record Op(String key, float[] vector, Map<String, String> attributes) {
    static Op add(IndexItem<String> it) {
      return new Op(it.id(), it.vector(), it.attributes());
    }

    static Op remove(String key) {
      return new Op(key, null, Map.of());
    }
  }

  /**
   * Appends changes durably (one fsync), creating the log when absent.
   *
   * @param log the log file
   * @param dimension the segment's vector length
   * @param ops the changes, in order
   */
  static void append(Path log, int dimension, List<Op> ops) {
    try {
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      if (!Files.exists(log) || Files.size(log) == 0) {
        batch.write(header(dimension));
      }
      for (Op op : ops) {
        batch.write(op.vector() == null ? frame(REMOVE, removePayload(op.key())) : frame(ADD, addPayload(op)));
      }
      try (FileChannel ch = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND)) {
        ByteBuffer buf = ByteBuffer.wrap(batch.toByteArray());
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
    } catch (IOException e) {
      throw new StoreException(log + ": cannot append to the segment log: " + e.getMessage(), e);
    }
  }

  /**
   * Applies a log to an index loaded from its segment file.
   *
   * @param log the log file (absent: nothing to apply)
   * @param index the index
   * @param truncateTornTail whether to cut a partly written last record off the file (false for
   *     a read-only open, where a writer may be appending right now)
   * @return records applied
   * @throws StoreException when the log is damaged before its last record, or made for another
   *     dimension
   */
  static int replay(Path log, HnswVectorIndex<String> index, boolean truncateTornTail) {
    if (!Files.exists(log)) {
      return 0;
    }
    try {
      byte[] all = Files.readAllBytes(log);
      if (all.length == 0) {
        return 0;
      }
      byte[] head = header(index.dimension());
      if (all.length < head.length || !Arrays.equals(Arrays.copyOf(all, head.length), head)) {
        throw new StoreException(log + ": not a segment log of " + index.dimension() + "-d vectors");
      }
      int pos = head.length;
      int applied = 0;
      List<IndexItem<String>> adds = new ArrayList<>();
      while (pos < all.length) {
        int len = RecordFrames.whole(all, pos, MAX_RECORD);
        if (len < 0) {
          if (!RecordFrames.tornTail(all, pos, MAX_RECORD)) {
            throw new StoreException(log + ": corrupt record at byte " + pos);
          }
          if (truncateTornTail) {
            LOG.warn("{}: dropping a partly written last record at byte {}: a write was cut short", log, pos);
            try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
              ch.truncate(pos);
              ch.force(true);
            }
          }
          break;
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, pos + 5, len));
        String key = in.readUTF();
        if (all[pos + 4] == ADD) {
          int n = in.readInt();
          if (n < 0 || n > 10_000) {
            throw new StoreException(log + ": malformed record at byte " + pos);
          }
          Map<String, String> attrs = new LinkedHashMap<>();
          for (int i = 0; i < n; i++) {
            attrs.put(in.readUTF(), in.readUTF());
          }
          float[] v = new float[index.dimension()];
          for (int i = 0; i < v.length; i++) {
            v[i] = in.readFloat();
          }
          adds.add(new IndexItem<>(key, v, attrs));
        } else if (all[pos + 4] == REMOVE) {
          flush(index, adds);
          index.remove(key);
        } else {
          throw new StoreException(log + ": unknown record type at byte " + pos);
        }
        applied++;
        pos += 9 + len;
      }
      flush(index, adds);
      return applied;
    } catch (IOException e) {
      throw new StoreException(log + ": cannot read the segment log: " + e.getMessage(), e);
    }
  }

  /** Adds pending items in one batch, keeping the log's order against removes. */
  private static void flush(HnswVectorIndex<String> index, List<IndexItem<String>> adds) {
    if (!adds.isEmpty()) {
      index.addAll(adds);
      adds.clear();
    }
  }

  /**
   * @param dimension the segment's vector length, to estimate the records in the log (an added
   *     vector's record is about {@code 4 × dimension + 40} bytes)
   * @return whether the log has grown enough, next to its segment file, to be compacted: past
   *     {@link #compactShare} of the file and {@link #minCompactBytes}, or past about
   *     {@link #maxReplayRecords} records and {@link #minCompactBytes}
   */
  static boolean dueForCompaction(Path log, Path segmentFile, int dimension) {
    try {
      long logBytes = Files.exists(log) ? Files.size(log) : 0;
      long fileBytes = Files.exists(segmentFile) ? Files.size(segmentFile) : 0;
      long replayBytes = (long) maxReplayRecords * (4L * dimension + 40);
      return logBytes > Math.max(minCompactBytes, Math.min((long) (compactShare * fileBytes), replayBytes));
    } catch (IOException e) {
      return true;
    }
  }

  /** Empties the log after its segment file was saved whole. */
  static void clear(Path log) {
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new StoreException(log + ": cannot remove the segment log: " + e.getMessage(), e);
    }
  }

  private static byte[] header(int dimension) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(MAGIC);
    out.writeInt(dimension);
    out.flush();
    return RecordFrames.withChecksum(bytes.toByteArray());
  }

  private static byte[] addPayload(Op op) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 4 * op.vector().length);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeUTF(op.key());
    out.writeInt(op.attributes().size());
    for (Map.Entry<String, String> e : op.attributes().entrySet()) {
      out.writeUTF(e.getKey());
      out.writeUTF(e.getValue());
    }
    for (float f : op.vector()) {
      out.writeFloat(f);
    }
    out.flush();
    return bytes.toByteArray();
  }

  private static byte[] removePayload(String key) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeUTF(key);
    out.flush();
    return bytes.toByteArray();
  }

  private static byte[] frame(byte type, byte[] payload) {
    return RecordFrames.frame(type, payload);
  }
}
