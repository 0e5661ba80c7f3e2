package io.sightline.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Opens input files only when they are regular files. A device ({@code /dev/zero},
 * {@code /dev/urandom}), a FIFO, a socket or a directory (or a symbolic link to one) is refused
 * <em>before</em> it is opened: opening a FIFO blocks until a writer appears, and a device has no
 * end and a {@link Files#size} of 0, so it can neither be read whole nor be measured beforehand.
 * Byte budgets are therefore enforced while reading ({@link #readAll}), never from the size.
 *
 * <p>Thread-safe (stateless).
 */
public final class RegularFiles {
  private static final int S_IFMT = 0170000;

  private RegularFiles() {}

  /** Raised for a path that exists but is not a regular file; the message names what it is. */
  public static final class NotRegularFileException extends FileSystemException {
    private static final long serialVersionUID = 1L;
    private final String kind;

    NotRegularFileException(Path file, String kind) {
      super(file.toString(), null, "is " + kind + ", not a regular file");
      this.kind = kind;
    }

    /** @return what the path is, e.g. "a character device", "a FIFO (named pipe)" */
    public String kind() {
      return kind;
    }
  }

  /**
   * Checks, following symbolic links, that a path is a regular file, without opening it.
   *
   * @param path the path
   * @throws NotRegularFileException when it is a device, FIFO, socket, directory or other
   * @throws java.nio.file.NoSuchFileException when it does not exist (or is a dangling link)
   * @throws IOException when its attributes cannot be read
   */
  public static void requireRegular(Path path) throws IOException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
    if (!a.isRegularFile()) {
      throw new NotRegularFileException(path, a.isDirectory() ? "a directory" : kindOf(path));
    }
  }

  /**
   * @param path a path that is neither a regular file nor a directory
   * @return what it is, as precisely as the platform tells
   */
  static String kindOf(Path path) {
    try {
      Object mode = Files.getAttribute(path, "unix:mode");
      if (mode instanceof Integer m) {
        switch (m & S_IFMT) {
          case 0020000: return "a character device";
          case 0060000: return "a block device";
          case 0010000: return "a FIFO (named pipe)";
          case 0140000: return "a socket";
          case 0040000: return "a directory";
          default: break;
        }
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // no unix view: fall back to the generic word
    }
    return "a device, FIFO or socket";
  }

  /**
   * Opens a regular file for reading, refusing anything else before opening it.
   *
   * @param path the file (symbolic links are followed)
   * @return an input stream; close it
   * @throws NotRegularFileException when it is not a regular file
   * @throws IOException when it cannot be opened
   */
  public static InputStream open(Path path) throws IOException {
    requireRegular(path);
    return Files.newInputStream(path);
  }

  /**
   * Reads a regular file whole, counting bytes as they arrive (the file may grow while read).
   *
   * @param path the file
   * @param maxBytes the budget
   * @return the bytes
   * @throws NotRegularFileException when it is not a regular file
   * @throws ConfinedPaths.TooLargeException when it holds more than {@code maxBytes} bytes
   * @throws IOException when it cannot be read
   */
  public static byte[] readAll(Path path, long maxBytes) throws IOException {
    try (InputStream in = open(path)) {
      return readBounded(in, maxBytes, path);
    }
  }

  static byte[] readBounded(InputStream in, long maxBytes, Path shown) throws IOException {
    byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (b.length > maxBytes) {
      throw new ConfinedPaths.TooLargeException(shown, maxBytes);
    }
    return b;
  }
}
