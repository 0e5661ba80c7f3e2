package io.sightline.core.io;

import io.sightline.core.InputFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Safe reading of input files that may be hostile ({@code refs.jsonl}, {@code tags.csv},
 * {@code pairs.jsonl}, templates): strict UTF-8 line reading with a per-line length limit, and
 * resolution of the paths written inside such a file, confined to an allowed root folder.
 *
 * <p>Paths: a path read from the file resolves against the file's own folder and must stay
 * inside the allowed root (by default that folder). Absolute paths, {@code ..} escapes and
 * symbolic links whose real path leaves the root are refused with an {@link
 * InputFormatException} naming the file and line. A caller who trusts the file may widen the root
 * with {@link Builder#allowedRoot(Path)}; absolute paths are then accepted when they lie inside
 * it. Every path {@link #resolve} returns is recorded in {@link ConfinedPaths}, so that
 * {@link io.sightline.core.image.ImageLoader} later opens it without following a symbolic link
 * out of the folder, even one swapped in after the check.
 *
 * <p>Lines: each line is decoded on its own as strict UTF-8 ({@link CodingErrorAction#REPORT});
 * a UTF-8 byte order mark at the start of the file is skipped; {@code \n} and {@code \r\n} end
 * a line. A line longer than {@link Builder#maxLineBytes(int)} bytes is skipped without being held
 * in memory. Bad lines raise an {@link InputFormatException} carrying the 1-based line number;
 * the reader stays positioned after the bad line, so a caller may record the error and go on.
 *
 * <p>Files: only a regular file is read; a device ({@code /dev/zero}, {@code /dev/urandom}), a
 * FIFO, a socket or a folder, or a symbolic link to one, is refused before it is opened with an
 * {@link InputFormatException} (line 0) naming the file. The file's bytes are counted while
 * reading and a file over {@link Builder#maxFileBytes(long)} (default 16 GiB) ends the reading.
 *
 * <p>Instances are immutable and thread-safe; each {@link #openLines()} reader is for one thread.
 */
public final class InputFiles {
  /** Default line limit: 1 MiB. */
  public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;
  /** Default file limit: 16 GiB, counted while reading. */
  public static final long DEFAULT_MAX_FILE_BYTES = 16L << 30;

  private final Path file;
  private final Path base;
  private final Path root;
  private final int maxLineBytes;
  private final long maxFileBytes;
  private final boolean widened;
  private volatile Path realRoot;

  private InputFiles(Builder b) {
    this.widened = b.allowedRoot != null;
    this.file = b.file;
    this.base = b.file.toAbsolutePath().normalize().getParent();
    this.root = b.allowedRoot == null ? base : b.allowedRoot.toAbsolutePath().normalize();
    this.maxLineBytes = b.maxLineBytes;
    this.maxFileBytes = b.maxFileBytes;
  }

  /** The root's real path (symbolic links resolved), once it exists. */
  private Path realRoot() {
    Path r = realRoot;
    if (r == null) {
      try {
        r = root.toRealPath();
        realRoot = r;
      } catch (IOException e) {
        return root;
      }
    }
    return r;
  }

  /**
   * @param file the input file whose lines and paths are to be read
   * @return a builder with the defaults (root = the file's folder, 1 MiB lines)
   */
  public static Builder builder(Path file) {
    return new Builder(file);
  }

  /**
   * @param file the input file
   * @return an instance with the defaults
   */
  public static InputFiles of(Path file) {
    return builder(file).build();
  }

  /** @return the input file */
  public Path file() {
    return file;
  }

  /** @return the folder relative paths resolve against (absolute, normalised) */
  public Path baseFolder() {
    return base;
  }

  /** @return the folder every resolved path must stay inside (absolute, normalised) */
  public Path allowedRoot() {
    return root;
  }

  /** @return the longest line accepted, in bytes (without its line end) */
  public int maxLineBytes() {
    return maxLineBytes;
  }

  /** @return the most bytes read from the file before it is refused as too large */
  public long maxFileBytes() {
    return maxFileBytes;
  }

  /**
   * Resolves a path written in the file against the file's folder and checks that it stays
   * inside the allowed root, following symbolic links of the parts that exist.
   *
   * @param written the path as written in the file
   * @param line the 1-based line it was read from (for the message), or 0
   * @return the resolved, normalised absolute path (it need not exist)
   * @throws InputFormatException naming the file and line when the path is empty, malformed,
   *     absolute outside the root, escapes the root with {@code ..}, or reaches outside the root
   *     through a symbolic link
   */
  public Path resolve(String written, long line) {
    if (written == null || written.isBlank()) {
      throw new InputFormatException(file, line, "empty path");
    }
    if (written.indexOf('\0') >= 0) {
      throw new InputFormatException(file, line, "path contains a NUL character");
    }
    Path p;
    try {
      p = Path.of(written);
    } catch (InvalidPathException e) {
      throw new InputFormatException(file, line, "malformed path '" + written + "': " + e.getReason(), e);
    }
    if (p.isAbsolute()) {
      if (!widened || !p.normalize().startsWith(root)) {
        throw new InputFormatException(file, line, "absolute path '" + written
            + "' refused: paths must be relative to the file's folder and stay inside " + root);
      }
    }
    Path resolved = base.resolve(p).normalize();
    if (!resolved.startsWith(root)) {
      throw new InputFormatException(file, line, "path '" + written + "' escapes the allowed folder " + root);
    }
    checkRealPath(written, resolved, line);
    // the check holds now; ImageLoader re-establishes it race-free when it opens the file
    ConfinedPaths.register(resolved, root, realRoot());
    return resolved;
  }

  private void checkRealPath(String written, Path resolved, long line) {
    Path existing = resolved;
    while (existing != null && !Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    Path real;
    Path realRoot;
    try {
      realRoot = realRoot();
      real = existing.toRealPath();
    } catch (NoSuchFileException e) {
      // a dangling symbolic link: where it points cannot be checked, so refuse it
      throw new InputFormatException(file, line, "path '" + written + "' is a broken symbolic link", e);
    } catch (IOException e) {
      throw new InputFormatException(file, line, "cannot check path '" + written + "': " + e.getMessage(), e);
    }
    if (!real.startsWith(realRoot)) {
      throw new InputFormatException(file, line, "path '" + written + "' leads through a symbolic link to "
          + real + ", outside the allowed folder " + root);
    }
  }

  /**
   * Opens the file for reading line by line.
   *
   * @return a reader; close it
   * @throws InputFormatException when the file is missing or unreadable, or is not a regular
   *     file (a device such as {@code /dev/zero}, a FIFO, a socket, a folder, or a link to one:
   *     refused before it is opened, so a FIFO does not block)
   */
  public LineReader openLines() {
    try {
      return new LineReader(file, RegularFiles.open(file), maxLineBytes, maxFileBytes);
    } catch (RegularFiles.NotRegularFileException e) {
      throw new InputFormatException(file, 0, "refused: " + e.getReason(), e);
    } catch (NoSuchFileException e) {
      throw new InputFormatException(file, 0, "file not found", e);
    } catch (IOException e) {
      throw new InputFormatException(file, 0, "cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * Visits every line; the first bad line (invalid UTF-8, too long) is thrown.
   *
   * @param visitor receives each line
   * @throws InputFormatException for the first bad line, or when the file cannot be read
   */
  public void forEachLine(LineVisitor visitor) {
    forEachLine(visitor, e -> {
      throw e;
    });
  }

  /**
   * Visits every line, handing each bad line (invalid UTF-8, too long) to {@code onBadLine}
   * instead of the visitor; {@code onBadLine} may record it and return (reading goes on) or throw.
   * A file that is not UTF-8 at all (a UTF-16 byte order mark) ends the reading after its error.
   *
   * @param visitor receives each good line
   * @param onBadLine receives one exception per bad line, carrying its line number
   * @throws InputFormatException when the file cannot be read
   */
  public void forEachLine(LineVisitor visitor, Consumer<InputFormatException> onBadLine) {
    Objects.requireNonNull(visitor, "visitor");
    Objects.requireNonNull(onBadLine, "onBadLine");
    try (LineReader r = openLines()) {
      while (true) {
        String s;
        try {
          s = r.readLine();
        } catch (InputFormatException e) {
          if (e.line() <= 0) {
            throw e;
          }
          onBadLine.accept(e);
          continue;
        }
        if (s == null) {
          return;
        }
        visitor.line(r.lineNumber(), s);
      }
    }
  }

  /** Receives the lines of a file. */
  @FunctionalInterface
  public interface LineVisitor {
    /**
     * @param line 1-based line number
     * @param text the decoded line, without its line end
     */
    void line(long line, String text);
  }

  /** Builder for {@link InputFiles}. */
  public static final class Builder {
    private final Path file;
    private Path allowedRoot;
    private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
    private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;

    private Builder(Path file) {
      this.file = Objects.requireNonNull(file, "file");
    }

    /**
     * Widens (or narrows) the folder that paths in the file must stay inside. By default it is
     * the file's own folder. Relative paths still resolve against the file's folder; absolute
     * paths are accepted only inside this root.
     *
     * @param root the allowed root folder
     * @return this
     */
    public Builder allowedRoot(Path root) {
      this.allowedRoot = Objects.requireNonNull(root, "root");
      return this;
    }

    /**
     * @param bytes the longest line accepted, in bytes without the line end (at least 1)
     * @return this
     */
    public Builder maxLineBytes(int bytes) {
      if (bytes < 1 || bytes == Integer.MAX_VALUE) {
        throw new IllegalArgumentException("maxLineBytes must be between 1 and " + (Integer.MAX_VALUE - 1) + ": " + bytes);
      }
      this.maxLineBytes = bytes;
      return this;
    }

    /**
     * @param bytes the most bytes read from the file (counted while reading, at least 1); a
     *     longer file ends the reading with an {@link InputFormatException} at line 0
     * @return this
     */
    public Builder maxFileBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxFileBytes must be at least 1: " + bytes);
      }
      this.maxFileBytes = bytes;
      return this;
    }

    /** @return the instance */
    public InputFiles build() {
      return new InputFiles(this);
    }
  }

  /**
   * Reads a file line by line, strictly as UTF-8, never holding more than the line limit (plus
   * a 64 KiB buffer) in memory. Not thread-safe.
   */
  public static final class LineReader implements AutoCloseable {
    private final Path file;
    private final InputStream in;
    private final int max;
    private final long maxFile;
    private long read;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private byte[] line = new byte[256];
    private long lineNo;
    private boolean eof;
    private boolean closed;
    private final CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

    LineReader(Path file, InputStream in, int maxLineBytes, long maxFileBytes) {
      this.file = file;
      this.in = in;
      this.max = maxLineBytes;
      this.maxFile = maxFileBytes;
    }

    /** @return the 1-based number of the line last read (or attempted), 0 before the first */
    public long lineNumber() {
      return lineNo;
    }

    /**
     * @return the next line without its line end, or null at the end of the file
     * @throws InputFormatException with the line number when the line is not valid UTF-8 or is
     *     longer than the limit (the reader then stands after that line), or with line 0 when
     *     the file cannot be read
     */
    public String readLine() {
      if (closed) {
        throw new IllegalStateException("reader is closed");
      }
      if (eof) {
        return null;
      }
      int len = 0;
      long total = 0;
      boolean any = false;
      byte last = 0;
      while (true) {
        if (pos == lim) {
          fill();
          if (lim <= 0) {
            eof = true;
            if (!any) {
              return null;
            }
            break;
          }
        }
        int i = pos;
        while (i < lim && buf[i] != '\n') {
          i++;
        }
        int n = i - pos;
        if (n > 0) {
          any = true;
          last = buf[i - 1];
          total += n;
          if (total <= (long) max + 1) {
            if (len + n > line.length) {
              line = java.util.Arrays.copyOf(line, (int) Math.min((long) max + 1, Math.max((long) line.length * 2, len + n)));
            }
            System.arraycopy(buf, pos, line, len, n);
            len += n;
          }
        }
        pos = i;
        if (i < lim) {
          pos++;
          break;
        }
      }
      lineNo++;
      boolean cr = total > 0 && last == '\r';
      long content = cr ? total - 1 : total;
      if (total > (long) max + 1 || content > max) {
        throw new InputFormatException(file, lineNo, "line " + lineNo + " is too long: " + content
            + " bytes, over the limit of " + max + " bytes");
      }
      int start = 0;
      int end = cr ? len - 1 : len;
      if (lineNo == 1) {
        if (end >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
          start = 3;
        } else if (end >= 2 && (((line[0] & 0xFF) == 0xFE && (line[1] & 0xFF) == 0xFF)
            || ((line[0] & 0xFF) == 0xFF && (line[1] & 0xFF) == 0xFE))) {
          eof = true;
          throw new InputFormatException(file, lineNo, "line 1 starts with a UTF-16 byte order mark; "
              + "the file must be UTF-8");
        }
      }
      return decode(start, end);
    }

    private String decode(int start, int end) {
      ByteBuffer bb = ByteBuffer.wrap(line, start, end - start);
      CharBuffer cb = CharBuffer.allocate(end - start);
      dec.reset();
      CoderResult r = dec.decode(bb, cb, true);
      if (!r.isError()) {
        r = dec.flush(cb);
      }
      if (r.isError()) {
        int at = bb.position() - start;
        throw new InputFormatException(file, lineNo, "line " + lineNo + " is not valid UTF-8 (byte 0x"
            + String.format("%02X", line[bb.position()] & 0xFF) + " at byte " + (at + 1)
            + "); the file must be UTF-8");
      }
      cb.flip();
      return cb.toString();
    }

    private void fill() {
      try {
        pos = 0;
        lim = in.read(buf);
        if (lim > 0) {
          read += lim;
          if (read > maxFile) {
            eof = true;
            lim = 0;
            throw new InputFormatException(file, 0, "more than " + maxFile
                + " bytes, over the limit for an input file");
          }
        }
      } catch (IOException e) {
        throw new InputFormatException(file, 0, "cannot read: " + e.getMessage(), new UncheckedIOException(e));
      }
    }

    /** Closes the file; closing twice is harmless. */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        in.close();
      } catch (IOException e) {
        // nothing was written; a failed close of a read-only stream loses nothing
      }
    }
  }
}
