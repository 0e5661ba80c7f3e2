package io.sightline.core.store;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The record framing of Sightline's append-only logs (the instance index's log, a catalog
 * segment's log): {@code length (int) | type (byte) | payload (length bytes) | crc32c of
 * type+payload (int)}, after a header that ends with the CRC32C of what precedes it. A record cut
 * short by a crash can only be the last one; damage before it is corruption.
 */
public final class RecordFrames {
  private RecordFrames() {}

  /**
   * @param type the record type
   * @param payload its payload
   * @return the framed record
   */
  public static byte[] frame(byte type, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
    b.putInt(payload.length).put(type).put(payload);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 4, 1 + payload.length);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /**
   * @param header header bytes
   * @return the header followed by its CRC32C (4 bytes, big-endian)
   */
  public static byte[] withChecksum(byte[] header) {
    CRC32C crc = new CRC32C();
    crc.update(header);
    byte[] out = Arrays.copyOf(header, header.length + 4);
    ByteBuffer.wrap(out, header.length, 4).putInt((int) crc.getValue());
    return out;
  }

  /**
   * Checks the record starting at {@code pos}.
   *
   * @param all the log's bytes
   * @param pos where the record starts
   * @param maxRecord the largest payload accepted
   * @return its payload length when it is whole and its checksum matches, else -1
   */
  public static int whole(byte[] all, int pos, int maxRecord) {
    int len = length(all, pos);
    if (len < 0 || len > maxRecord || (long) pos + 9 + len > all.length) {
      return -1;
    }
    CRC32C crc = new CRC32C();
    crc.update(all, pos + 4, 1 + len);
    return (int) crc.getValue() == ByteBuffer.wrap(all).getInt(pos + 5 + len) ? len : -1;
  }

  /**
   * Whether a record that is not {@linkplain #whole whole} can be the trace of a write cut short:
   * its declared length runs to or past the end of the log.
   *
   * @param all the log's bytes
   * @param pos where the record starts
   * @param maxRecord the largest payload accepted
   * @return true for a torn last record, false for damage before the end (corruption)
   */
  public static boolean tornTail(byte[] all, int pos, int maxRecord) {
    int len = length(all, pos);
    return len < 0 || len > maxRecord || (long) pos + 9 + len >= all.length;
  }

  private static int length(byte[] all, int pos) {
    return all.length - pos >= 9 ? ByteBuffer.wrap(all).getInt(pos) : -1;
  }
}
