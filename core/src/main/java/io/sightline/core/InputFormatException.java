package io.sightline.core;

import java.nio.file.Path;

/**
 * A malformed record in an input file (jsonl, csv, template): carries the file and 1-based line
 * number so the caller can point at the record.
 */
public class InputFormatException extends SightlineException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final long line;

  /**
   * @param file the input file, or null for API input
   * @param line the 1-based line number, or 0 when not line-oriented
   * @param message what is wrong with the record
   */
  public InputFormatException(Path file, long line, String message) {
    super(format(file, line, message));
    this.file = file;
    this.line = line;
  }

  /**
   * @param file the input file, or null for API input
   * @param line the 1-based line number, or 0 when not line-oriented
   * @param message what is wrong with the record
   * @param cause the underlying parse failure
   */
  public InputFormatException(Path file, long line, String message, Throwable cause) {
    super(format(file, line, message), cause);
    this.file = file;
    this.line = line;
  }

  private static String format(Path file, long line, String message) {
    StringBuilder sb = new StringBuilder();
    if (file != null) {
      sb.append(file);
      if (line > 0) {
        sb.append(':').append(line);
      }
      sb.append(": ");
    } else if (line > 0) {
      sb.append("line ").append(line).append(": ");
    }
    return sb.append(message).toString();
  }

  /** @return the input file, or null for API input */
  public Path file() {
    return file;
  }

  /** @return the 1-based line number, or 0 */
  public long line() {
    return line;
  }
}
