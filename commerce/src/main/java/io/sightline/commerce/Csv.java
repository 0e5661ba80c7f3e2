package io.sightline.commerce;

import io.sightline.core.InputFormatException;
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
    Path file = in.file();
    List<Row> rows = new ArrayList<>();
    try (InputFiles.LineReader r = in.openLines()) {
      long lineNo = 0;
      String line;
      boolean first = true;
      while ((line = r.readLine()) != null) {
        lineNo++;
        long start = lineNo;
        if (first && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        List<String> fields = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean done = false;
        while (!done) {
          for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
              if (c == '"') {
                if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                  cur.append('"');
                  i++;
                } else {
                  quoted = false;
                }
              } else {
                cur.append(c);
              }
            } else if (c == '"' && cur.toString().isBlank()) {
              cur.setLength(0);
              quoted = true;
            } else if (c == ',') {
              fields.add(cur.toString().trim());
              cur.setLength(0);
            } else {
              cur.append(c);
            }
          }
          if (quoted) {
            String next = r.readLine();
            if (next == null) {
              throw new InputFormatException(file, start, "unterminated quoted field");
            }
            lineNo++;
            cur.append('\n');
            line = next;
          } else {
            done = true;
          }
        }
        fields.add(cur.toString().trim());
        if (first) {
          first = false;
          checkHeader(file, start, fields, expectedHeader);
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
