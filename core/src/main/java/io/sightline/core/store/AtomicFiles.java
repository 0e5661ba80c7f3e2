package io.sightline.core.store;

import io.sightline.core.StoreException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file replacement: write to a temporary file in the same folder, fsync it, atomically
 * rename it over the target, then fsync the folder. A reader sees either the old complete file or
 * the new complete file, never a half-written one, even after {@code kill -9} or power loss.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the content of a file to a stream. */
  @FunctionalInterface
  public interface Writer {
    /**
     * @param out stream to the temporary file; do not close it
     * @throws IOException on failure; the target stays untouched
     */
    void write(OutputStream out) throws IOException;
  }

  /**
   * Atomically replaces {@code target} with what {@code writer} writes.
   *
   * @param target the file to create or replace
   * @param writer produces the content
   * @throws StoreException when writing fails; the previous file, if any, is intact
   */
  public static void write(Path target, Writer writer) {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
        writer.write(out);
        out.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new StoreException(abs + ": file system does not support atomic rename", e);
      }
      tmp = null;
      fsyncDirectory(dir);
    } catch (IOException e) {
      throw new StoreException(abs + ": write failed: " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: a stray temp file is never read
        }
      }
    }
  }

  private static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // Some platforms cannot open directories; the rename is still atomic there.
    }
  }
}
