package io.sightline.core.instance;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import io.sightline.core.store.AtomicFiles;
import io.sightline.core.store.RecordFrames;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable form of an {@link InstanceIndex}: an append-only log of "add image" and "remove
 * image" records, so adding or removing one reference writes only that record (fsynced), never
 * the whole index.
 *
 * <pre>
 * header : magic "SLINSTJ1" | version (int) | extractor id (UTF) | vocabulary id (UTF) | crc32c (int)
 * record : length (int) | type (byte) | payload (length bytes) | crc32c of type+payload (int)
 * ADD    : id (UTF) | width | height | n | n × (word int, signature long, x, y, size, angle floats)
 * REMOVE : id (UTF)
 * </pre>
 *
 * <p>On open every record's checksum is verified. A damaged <em>last</em> record is the trace of a
 * write cut short by a crash (it was never acknowledged): it is cut off with a warning. Damage
 * anywhere else is corruption and fails with a {@link StoreException}. When the log holds more
 * than twice as many records as live images it is compacted: rewritten atomically with one record
 * per live image. Not thread-safe: the index serialises writers.
 */
final class InstanceJournal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InstanceJournal.class);
  private static final byte[] MAGIC = "SLINSTJ1".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  private static final byte ADD = 1;
  private static final byte REMOVE = 2;
  private static final int MAX_RECORD = 64 << 20;

  private final Path file;
  private final String extractorId;
  private final String vocabularyId;
  private FileChannel channel;
  private long records;
  private boolean readOnly;

  private InstanceJournal(Path file, String extractorId, String vocabularyId) {
    this.file = file;
    this.extractorId = extractorId;
    this.vocabularyId = vocabularyId;
  }

  /**
   * Opens (creating when missing) a journal and replays it.
   *
   * @param file the log file
   * @param extractorId id of the extractor the caller uses
   * @param vocabularyId id of the caller's vocabulary
   * @param replay receives the live images in the order they were added
   * @return the open journal, positioned for appends
   */
  static InstanceJournal open(Path file, String extractorId, String vocabularyId,
      Map<String, EncodedFeatures> replay) {
    return open(file, extractorId, vocabularyId, replay, false);
  }

  /**
   * Opens a journal and replays it; read-only, it writes nothing: a missing log is an empty
   * index, a partly written last record (a writer in another process may be appending it right
   * now) is skipped rather than cut off, and the log is never compacted.
   *
   * @param file the log file
   * @param extractorId id of the extractor the caller uses
   * @param vocabularyId id of the caller's vocabulary
   * @param replay receives the live images in the order they were added
   * @param readOnly whether to open without writing
   * @return the open journal; read-only, {@link #append} fails
   */
  static InstanceJournal open(Path file, String extractorId, String vocabularyId,
      Map<String, EncodedFeatures> replay, boolean readOnly) {
    InstanceJournal j = new InstanceJournal(file, extractorId, vocabularyId);
    j.readOnly = readOnly;
    if (readOnly) {
      try {
        if (Files.exists(file) && Files.size(file) > 0) {
          j.replay(replay);
        }
      } catch (IOException e) {
        throw new StoreException(file + ": cannot read instance index log: " + e.getMessage(), e);
      }
      return j;
    }
    try {
      if (!Files.exists(file) || Files.size(file) == 0) {
        AtomicFiles.write(file, out -> out.write(j.header()));
      } else {
        j.replay(replay);
      }
      j.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new StoreException(file + ": cannot open instance index log: " + e.getMessage(), e);
    }
    if (j.records > 2L * replay.size() + 256) {
      j.compact(replay);
    }
    return j;
  }

  private byte[] header() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(MAGIC);
    out.writeInt(VERSION);
    out.writeUTF(extractorId);
    out.writeUTF(vocabularyId);
    out.flush();
    return RecordFrames.withChecksum(bytes.toByteArray());
  }

  private void replay(Map<String, EncodedFeatures> live) throws IOException {
    byte[] all = Files.readAllBytes(file);
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all));
    byte[] magic = new byte[MAGIC.length];
    String ext;
    String voc;
    int headerEnd;
    try {
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new StoreException(file + ": not a Sightline instance index log (bad magic)");
      }
      int version = in.readInt();
      if (version > VERSION || version < 1) {
        throw new IncompatibleFormatException(file + ": instance index format " + version
            + " is newer than this Sightline supports (" + VERSION + "); upgrade Sightline");
      }
      ext = in.readUTF();
      voc = in.readUTF();
      headerEnd = all.length - in.available();
      int stored = in.readInt();
      CRC32C crc = new CRC32C();
      crc.update(all, 0, headerEnd);
      if ((int) crc.getValue() != stored) {
        throw new StoreException(file + ": instance index log header is corrupt (checksum)");
      }
    } catch (java.io.EOFException e) {
      throw new StoreException(file + ": instance index log header is truncated", e);
    }
    if (!ext.equals(extractorId)) {
      throw new IncompatibleFormatException(file + ": features were extracted with '" + ext
          + "' but the index was opened with extractor '" + extractorId + "'");
    }
    if (!voc.equals(vocabularyId)) {
      throw new IncompatibleFormatException(file + ": features were quantised with vocabulary '" + voc
          + "' but the index was opened with '" + vocabularyId + "'; open it with the vocabulary it was built with");
    }
    int pos = headerEnd + 4;
    while (pos < all.length) {
      int start = pos;
      int len = RecordFrames.whole(all, pos, MAX_RECORD);
      if (len < 0) {
        if (!RecordFrames.tornTail(all, pos, MAX_RECORD)) {
          throw new StoreException(file + ": corrupt record at byte " + start + " (damaged or checksum mismatch);"
              + " the index cannot be trusted: rebuild it from the references");
        }
        if (readOnly) {
          LOG.debug("{}: skipping a partly written last record at byte {}", file, start);
          break;
        }
        LOG.warn("{}: dropping a partly written last record at byte {}: a write was cut short", file, start);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate(start);
          ch.force(true);
        }
        break;
      }
      byte type = all[pos + 4];
      DataInputStream rec = new DataInputStream(new java.io.ByteArrayInputStream(all, pos + 5, len));
      try {
        if (type == ADD) {
          String id = rec.readUTF();
          live.remove(id);
          live.put(id, readFeatures(rec));
        } else if (type == REMOVE) {
          live.remove(rec.readUTF());
        } else {
          throw new StoreException(file + ": unknown record type " + type + " at byte " + start);
        }
      } catch (IOException | IllegalArgumentException e) {
        throw new StoreException(file + ": malformed record at byte " + start + ": " + e.getMessage(), e);
      }
      records++;
      pos += 9 + len;
    }
  }

  private static EncodedFeatures readFeatures(DataInputStream in) throws IOException {
    int w = in.readInt();
    int h = in.readInt();
    int n = in.readInt();
    if (n < 0 || n > 65536 || w < 1 || h < 1) {
      throw new IOException("bad feature block (" + n + " keypoints, " + w + "x" + h + ")");
    }
    int[] words = new int[n];
    long[] sigs = new long[n];
    float[] xs = new float[n];
    float[] ys = new float[n];
    float[] sizes = new float[n];
    float[] angles = new float[n];
    for (int i = 0; i < n; i++) {
      words[i] = in.readInt();
      sigs[i] = in.readLong();
      xs[i] = in.readFloat();
      ys[i] = in.readFloat();
      sizes[i] = in.readFloat();
      angles[i] = in.readFloat();
    }
    return new EncodedFeatures(w, h, words, sigs, xs, ys, sizes, angles);
  }

  private static byte[] addRecord(String id, EncodedFeatures f) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 32 * f.count());
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeUTF(id);
    out.writeInt(f.width());
    out.writeInt(f.height());
    out.writeInt(f.count());
    for (int i = 0; i < f.count(); i++) {
      out.writeInt(f.words()[i]);
      out.writeLong(f.signatures()[i]);
      out.writeFloat(f.xs()[i]);
      out.writeFloat(f.ys()[i]);
      out.writeFloat(f.sizes()[i]);
      out.writeFloat(f.angles()[i]);
    }
    out.flush();
    return frame(ADD, bytes.toByteArray());
  }

  private static byte[] removeRecord(String id) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeUTF(id);
    out.flush();
    return frame(REMOVE, bytes.toByteArray());
  }

  private static byte[] frame(byte type, byte[] payload) {
    return RecordFrames.frame(type, payload);
  }

  /**
   * Appends records durably (one fsync for the batch).
   *
   * @param adds images to add (id to features), may be empty
   * @param removes ids to remove, may be empty
   */
  void append(Map<String, EncodedFeatures> adds, Iterable<String> removes) {
    if (readOnly) {
      throw new IllegalStateException(file + ": the instance index was opened read-only");
    }
    try {
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      int n = 0;
      for (String id : removes) {
        batch.write(removeRecord(id));
        n++;
      }
      for (Map.Entry<String, EncodedFeatures> e : adds.entrySet()) {
        batch.write(addRecord(e.getKey(), e.getValue()));
        n++;
      }
      if (n == 0) {
        return;
      }
      ByteBuffer b = ByteBuffer.wrap(batch.toByteArray());
      long before = channel.size();
      try {
        while (b.hasRemaining()) {
          channel.write(b);
        }
        channel.force(false);
      } catch (IOException e) {
        // leave no partial batch behind: the in-memory index was not changed either
        channel.truncate(before);
        throw e;
      }
      records += n;
    } catch (IOException e) {
      throw new StoreException(file + ": cannot append to instance index log: " + e.getMessage(), e);
    }
  }

  /** Rewrites the log with one record per live image (atomic replace). */
  void compact(Map<String, EncodedFeatures> live) {
    try {
      if (channel != null) {
        channel.close();
      }
      AtomicFiles.write(file, out -> {
        out.write(header());
        for (Map.Entry<String, EncodedFeatures> e : live.entrySet()) {
          out.write(addRecord(e.getKey(), e.getValue()));
        }
      });
      channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      records = live.size();
      LOG.debug("{}: compacted to {} records", file, records);
    } catch (IOException e) {
      throw new StoreException(file + ": cannot compact instance index log: " + e.getMessage(), e);
    }
  }

  /** @return records in the log (live or superseded) */
  long records() {
    return records;
  }

  /** Snapshot helper for {@link #compact}. */
  static Map<String, EncodedFeatures> ordered() {
    return new LinkedHashMap<>();
  }

  @Override
  public void close() {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      LOG.warn("{}: close failed: {}", file, e.getMessage());
    }
  }
}
