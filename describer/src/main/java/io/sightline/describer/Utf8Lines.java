package io.sightline.describer;

import io.sightline.core.io.InputFiles;
import java.nio.file.Path;

/**
 * Reads a text file line by line through core {@link InputFiles}, decoding each line strictly as
 * UTF-8 on its own, so a line that is not UTF-8 (or is longer than 1 MiB) is reported with its
 * exact number and the lines after it still read.
 */
final class Utf8Lines {
  private Utf8Lines() {}

  /** Receives lines. */
  interface Visitor {
    /**
     * @param line 1-based line number
     * @param text the decoded line (without its end), or null when it is not UTF-8 or too long
     */
    void line(long line, String text);
  }

  /**
   * @throws io.sightline.core.InputFormatException when the file is missing or unreadable
   */
  static void read(Path file, Visitor visitor) {
    InputFiles.of(file).forEachLine(visitor::line, e -> visitor.line(e.line(), null));
  }
}
