package io.sightline.commerce;

import io.sightline.core.InputFormatException;
import io.sightline.core.io.CsvLine;
import io.sightline.core.io.InputFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Minimal RFC 4180 reader (comma separated, double-quoted fields with "" escapes, quoted fields
 * may span lines, UTF-8 with optional BOM). No CSV library is in the project's dependency set;
 * this covers the two small formats of this module. Lines are read through core's
 * {@link InputFiles} (strict UTF-8, line-length limit, line numbers).
 */
final class Csv {
  /** One record with the 1-based line it starts on. */
  record Row(long line, List<String> fields) {}

  private Csv() {}

  /**
   * Reads a file whose first record is a header that must start with {@code expected} columns.
   *
   * @return the data records (header excluded); blank lines are skipped
   */
  static List<Row> read(Path file, List<String> expectedHeader) {
    return read(InputFiles.of(file), expectedHeader);
  }

  /** Same as {@link #read(Path, List)} through an {@link InputFiles} carrying the limits. */
  static List<Row> read(InputFiles in, List<String> expectedHeader) {
    return read(in, expectedHeader, new ArrayList<>());
  }

  /** Same as {@link #read(InputFiles, List)}, adding the whole header (extra columns included) to {@code header}. */
  static List<Row> read(InputFiles in, List<String> expectedHeader, List<String> header) {
    Path file = in.file();
    List<Row> rows = new ArrayList<>();
    try (InputFiles.LineReader r = in.openLines()) {
      String line;
      boolean first = true;
      while ((line = r.readLine()) != null) {
        long start = r.lineNumber();
        if (first && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        // a quoted field may hold line breaks: the record goes on until its quotes close
        StringBuilder record = new StringBuilder(line);
        while (CsvLine.hasOpenQuote(record)) {
          String next = r.readLine();
          if (next == null) {
            throw new InputFormatException(file, start, "unterminated quoted field");
          }
          record.append('\n').append(next);
        }
        List<String> fields = new ArrayList<>();
        for (String f : CsvLine.split(record)) {
          fields.add(f.trim());
        }
        if (first) {
          first = false;
          checkHeader(file, start, fields, expectedHeader);
          header.addAll(fields);
          continue;
        }
        rows.add(new Row(start, List.copyOf(fields)));
      }
      if (first) {
        throw new InputFormatException(file, 0, "empty file; expected a header "
            + String.join(",", expectedHeader));
      }
    }
    return rows;
  }

  private static void checkHeader(Path file, long line, List<String> header, List<String> expected) {
    boolean ok = header.size() >= expected.size();
    for (int i = 0; ok && i < expected.size(); i++) {
      ok = header.get(i).trim().toLowerCase(Locale.ROOT).equals(expected.get(i));
    }
    if (!ok) {
      throw new InputFormatException(file, line, "header must be '" + String.join(",", expected)
          + "' but is '" + String.join(",", header) + "'");
    }
  }

}
