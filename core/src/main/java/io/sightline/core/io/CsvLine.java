package io.sightline.core.io;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits CSV records (RFC 4180 quoting: comma separated; a field that starts with a double quote,
 * after optional blanks, runs to the closing quote, and {@code ""} inside it is one quote). Shared
 * by the modules' csv readers; line reading, limits and encoding are {@link InputFiles}' job.
 */
public final class CsvLine {
  private CsvLine() {}

  /**
   * @param record one record; it may span lines when a quoted field holds line breaks
   * @return its fields, not trimmed
   * @throws IllegalArgumentException when a quoted field is not closed
   */
  public static List<String> split(CharSequence record) {
    List<String> out = new ArrayList<>();
    if (scan(record, out)) {
      throw new IllegalArgumentException("unterminated quoted field");
    }
    return out;
  }

  /**
   * @param text the start of a record
   * @return whether it ends inside a quoted field, so the record continues on the next line
   */
  public static boolean hasOpenQuote(CharSequence text) {
    return scan(text, null);
  }

  /** Runs the quoting state machine; collects fields when {@code out} is given. */
  private static boolean scan(CharSequence s, List<String> out) {
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (quoted) {
        if (ch == '"') {
          if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          cur.append(ch);
        }
      } else if (ch == ',') {
        if (out != null) {
          out.add(cur.toString());
        }
        cur.setLength(0);
        wasQuoted = false;
      } else if (ch == '"' && !wasQuoted && cur.toString().isBlank()) {
        quoted = true;
        wasQuoted = true;
        cur.setLength(0);
      } else {
        cur.append(ch);
      }
    }
    if (out != null && !quoted) {
      out.add(cur.toString());
    }
    return quoted;
  }
}
