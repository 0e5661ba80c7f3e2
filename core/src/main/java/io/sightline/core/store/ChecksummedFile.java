package io.sightline.core.store;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.StoreException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Sightline's container for every binary file it persists (indexes, models): a format header,
 * the payload, and a CRC32C of everything before it, as Lucene does.
 *
 * <pre>
 * magic "SIGHTLN1" | kind (UTF) | formatVersion (int) | embedderId (UTF) | payload... | crc32c (long)
 * </pre>
 *
 * <p>{@link #read} checks the whole file's checksum <em>before</em> handing the payload to a
 * parser, so truncated or corrupted files are refused instead of being half-read, and refuses a
 * kind it was not asked for or a format version newer than it knows. Writes are atomic
 * ({@link AtomicFiles}).
 */
public final class ChecksummedFile {
  private static final byte[] MAGIC = "SIGHTLN1".getBytes(StandardCharsets.US_ASCII);

  private ChecksummedFile() {}

  /**
   * What a file's header says.
   *
   * @param kind what the file holds, e.g. "hnsw-index"
   * @param formatVersion version of the payload layout
   * @param embedderId id and version of the embedder whose vectors the file holds ("" if none)
   */
  public record Header(String kind, int formatVersion, String embedderId) {}

  /** Writes a payload. */
  @FunctionalInterface
  public interface PayloadWriter {
    /**
     * @param out payload stream; do not close it
     * @throws IOException on failure
     */
    void write(DataOutputStream out) throws IOException;
  }

  /**
   * Parses a payload.
   *
   * @param <T> what the payload decodes to
   */
  @FunctionalInterface
  public interface PayloadReader<T> {
    /**
     * @param header the verified header
     * @param in payload stream, positioned after the header; the trailing checksum is not part of it
     * @return the decoded value
     * @throws IOException on malformed payload
     * @throws ClassNotFoundException when a serialized class is unknown
     */
    T read(Header header, DataInputStream in) throws IOException, ClassNotFoundException;
  }

  /**
   * Atomically writes header, payload and checksum to {@code path}.
   *
   * @param path target file
   * @param header the header
   * @param payload writes the payload
   */
  public static void write(Path path, Header header, PayloadWriter payload) {
    AtomicFiles.write(path, raw -> {
      CheckedOutputStream checked = new CheckedOutputStream(new NonClosing(raw), new CRC32C());
      DataOutputStream out = new DataOutputStream(checked);
      out.write(MAGIC);
      out.writeUTF(header.kind());
      out.writeInt(header.formatVersion());
      out.writeUTF(header.embedderId() == null ? "" : header.embedderId());
      payload.write(out);
      out.flush();
      long crc = checked.getChecksum().getValue();
      DataOutputStream tail = new DataOutputStream(new NonClosing(raw));
      tail.writeLong(crc);
      tail.flush();
    });
  }

  /**
   * Verifies and reads a file written by {@link #write}.
   *
   * @param <T> decoded type
   * @param path the file
   * @param expectedKind the kind the caller can read
   * @param maxVersion the newest format version the caller knows
   * @param reader decodes the payload
   * @return the decoded value
   * @throws StoreException when the file is missing, truncated, corrupt, or not a Sightline file
   * @throws IncompatibleFormatException when kind or version do not fit
   */
  public static <T> T read(Path path, String expectedKind, int maxVersion, PayloadReader<T> reader) {
    long size;
    try {
      size = Files.size(path);
    } catch (NoSuchFileException e) {
      throw new StoreException(path + ": no such file", e);
    } catch (IOException e) {
      throw new StoreException(path + ": cannot read: " + e.getMessage(), e);
    }
    if (size < MAGIC.length + 8) {
      throw new StoreException(path + ": truncated or not a Sightline file (" + size + " bytes)");
    }
    verifyChecksum(path, size);
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      DataInputStream in = new DataInputStream(new BoundedInputStream(raw, size - 8));
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new StoreException(path + ": not a Sightline file (bad magic)");
      }
      Header header = new Header(in.readUTF(), in.readInt(), in.readUTF());
      if (expectedKind != null && !header.kind().equals(expectedKind)) {
        throw new IncompatibleFormatException(path + ": holds a '" + header.kind()
            + "', expected a '" + expectedKind + "'");
      }
      if (header.formatVersion() > maxVersion || header.formatVersion() < 1) {
        throw new IncompatibleFormatException(path + ": format version " + header.formatVersion()
            + " is newer than this Sightline supports (" + maxVersion + "); upgrade Sightline");
      }
      return reader.read(header, in);
    } catch (EOFException e) {
      throw new StoreException(path + ": payload ends early (corrupt file)", e);
    } catch (IOException | ClassNotFoundException | ClassCastException e) {
      throw new StoreException(path + ": cannot decode payload: " + e.getMessage(), e);
    }
  }

  /**
   * Reads only the header of a file (after verifying its checksum).
   *
   * @param path the file
   * @return its header
   */
  public static Header readHeader(Path path) {
    return read(path, null, Integer.MAX_VALUE, (h, in) -> h);
  }

  private static void verifyChecksum(Path path, long size) {
    try (InputStream raw = Files.newInputStream(path)) {
      CheckedInputStream checked = new CheckedInputStream(raw, new CRC32C());
      byte[] buf = new byte[1 << 16];
      long remaining = size - 8;
      while (remaining > 0) {
        int n = checked.read(buf, 0, (int) Math.min(buf.length, remaining));
        if (n < 0) {
          throw new StoreException(path + ": truncated");
        }
        remaining -= n;
      }
      long expected = new DataInputStream(raw).readLong();
      if (expected != checked.getChecksum().getValue()) {
        throw new StoreException(path + ": checksum mismatch (file is corrupt or truncated)");
      }
    } catch (IOException e) {
      throw new StoreException(path + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }

  private static final class BoundedInputStream extends java.io.FilterInputStream {
    private long remaining;

    BoundedInputStream(InputStream in, long limit) {
      super(in);
      this.remaining = limit;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // without this, skip went to the underlying stream and let the reader run into the checksum
      if (remaining <= 0) {
        return 0;
      }
      long s = in.skip(Math.min(n, remaining));
      if (s > 0) {
        remaining -= s;
      }
      return s;
    }

    @Override
    public void close() {
      // the owner closes the underlying stream
    }
  }
}
