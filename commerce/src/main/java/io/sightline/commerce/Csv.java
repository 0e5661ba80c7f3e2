package io.sightline.commerce;

import io.sightline.core.InputFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Minimal RFC 4180 reader (comma separated, double-quoted fields with "" escapes, quoted fields
 * may span lines, UTF-8 with optional BOM). No CSV library is in the project's dependency set;
 * this covers the two small formats of this module.
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
    List<Row> rows = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
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
    } catch (NoSuchFileException e) {
      throw new InputFormatException(file, 0, "no such file");
    } catch (CharacterCodingException e) {
      throw new InputFormatException(file, 0, "not UTF-8 text", e);
    } catch (IOException e) {
      throw new InputFormatException(file, 0, "cannot read: " + e.getMessage(), e);
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

  /** Resolves a path from a file against the folder of that file (absolute paths stay). */
  static Path resolve(Path file, String path) {
    Path p = Path.of(path);
    if (p.isAbsolute()) {
      return p;
    }
    Path dir = file.toAbsolutePath().getParent();
    return dir == null ? p : dir.resolve(p).normalize();
  }
}
