package io.sightline.tagging;

import io.sightline.core.InputFormatException;
import io.sightline.core.io.CsvLine;
import io.sightline.core.io.InputFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads {@code tags.csv} (UTF-8, header {@code image,tags,post}; tags separated by {@code |};
 * {@code post} optional and may be empty; relative image paths resolve against the file's folder
 * and must stay inside it, or inside the root given to {@link #read(Path, Path, Consumer)}:
 * absolute paths, {@code ..} escapes and symbolic links leading out are refused; lines are strict
 * UTF-8 of at most 1 MiB, and a bad line is reported with its number).
 * Fields may be quoted with {@code "} (a doubled {@code ""} inside quotes is a quote); a record
 * must fit on one line. Columns may come in any order; extra columns are ignored.
 */
public final class TagsCsv {
  private TagsCsv() {}

  /**
   * One row.
   *
   * @param line 1-based line number in the file
   * @param id the image path as written in the file (the stock id)
   * @param image the image path resolved against the file's folder
   * @param tags the tags (at least one)
   * @param post the post, or null
   */
  public record Row(long line, String id, Path image, Set<String> tags, String post) {
    /** Copies the tags. */
    public Row {
      tags = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(tags));
    }
  }

  /**
   * Reads every row; the first bad row fails the whole file.
   *
   * @param csv the file
   * @return the rows in file order
   * @throws InputFormatException naming the file and line of a row without an image or tags, a
   *     duplicate image, a malformed quote, a missing header column or invalid UTF-8
   */
  public static List<Row> read(Path csv) {
    return read(csv, e -> {
      throw e;
    });
  }

  /**
   * Reads the rows, handing each bad row to {@code onBadRow} (which may log it and go on, or
   * throw it) instead of stopping.
   *
   * @param csv the file
   * @param onBadRow receives one exception per bad row, with its line number
   * @return the good rows in file order
   */
  public static List<Row> read(Path csv, Consumer<InputFormatException> onBadRow) {
    return read(csv, null, onBadRow);
  }

  /**
   * Reads the rows, with image paths confined to {@code allowedRoot} instead of the file's folder.
   *
   * @param csv the file
   * @param allowedRoot the folder image paths must stay inside (absolute paths are accepted inside
   *     it), or null for the file's own folder
   * @param onBadRow receives one exception per bad row, with its line number
   * @return the good rows in file order
   * @throws InputFormatException when the file cannot be read or its header is bad
   */
  public static List<Row> read(Path csv, Path allowedRoot, Consumer<InputFormatException> onBadRow) {
    InputFiles.Builder b = InputFiles.builder(csv);
    if (allowedRoot != null) {
      b.allowedRoot(allowedRoot);
    }
    InputFiles in = b.build();
    List<Row> rows = new ArrayList<>();
    Map<String, Long> seen = new HashMap<>();
    try (InputFiles.LineReader r = in.openLines()) {
      String header = r.readLine();
      if (header == null) {
        throw new InputFormatException(csv, 1, "empty file; expected the header 'image,tags,post'");
      }
      if (header.startsWith("\uFEFF")) {
        header = header.substring(1);
      }
      List<String> names = split(header, csv, 1);
      int imageCol = indexOf(names, "image");
      int tagsCol = indexOf(names, "tags");
      int postCol = indexOf(names, "post");
      if (imageCol < 0 || tagsCol < 0) {
        throw new InputFormatException(csv, 1, "header must name the columns 'image' and 'tags' "
            + "(and optionally 'post'); found " + names);
      }
      while (true) {
        String line;
        try {
          line = r.readLine();
        } catch (InputFormatException e) {
          if (e.line() <= 0) {
            throw e;
          }
          onBadRow.accept(e);
          continue;
        }
        if (line == null) {
          break;
        }
        long no = r.lineNumber();
        if (line.isBlank()) {
          continue;
        }
        try {
          List<String> f = split(line, csv, no);
          String image = field(f, imageCol);
          if (image.isEmpty()) {
            throw new InputFormatException(csv, no, "row has no image");
          }
          Set<String> tags = new LinkedHashSet<>();
          for (String t : field(f, tagsCol).split("\\|")) {
            if (!t.isBlank()) {
              tags.add(t.trim());
            }
          }
          if (tags.isEmpty()) {
            throw new InputFormatException(csv, no, "image '" + image + "' has no tags; every stock image needs at least one");
          }
          StockImage.cleanTags(tags);
          Path resolved = in.resolve(image, no);
          // keyed by the file it names: ./img/a.png and img/a.png are one stock image
          Long first = seen.putIfAbsent(resolved.toString(), no);
          if (first != null) {
            throw new InputFormatException(csv, no, "image '" + image + "' already listed on line " + first
                + (resolved.toString().equals(image) ? "" : " (both name " + resolved + ")"));
          }
          String post = postCol < 0 ? "" : field(f, postCol);
          if (post.trim().length() > StockImage.MAX_TEXT) {
            throw new InputFormatException(csv, no, "post is " + post.trim().length() + " characters, over the limit of "
                + StockImage.MAX_TEXT);
          }
          rows.add(new Row(no, image, resolved, tags, post.isEmpty() ? null : post));
        } catch (InputFormatException e) {
          if (e.file() == null) {
            e = new InputFormatException(csv, no, e.getMessage());
          }
          onBadRow.accept(e);
        }
      }
    }
    return rows;
  }

  private static int indexOf(List<String> names, String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).trim().toLowerCase(Locale.ROOT).equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static String field(List<String> f, int i) {
    return i < f.size() ? f.get(i).trim() : "";
  }

  /** Splits one CSV record (RFC 4180 quoting, single line). */
  static List<String> split(String line, Path csv, long no) {
    try {
      return CsvLine.split(line);
    } catch (IllegalArgumentException e) {
      throw new InputFormatException(csv, no, "unterminated quoted field (records must fit on one line)");
    }
  }

  /**
   * Writes rows as {@code tags.csv} (for tools that export a stock).
   *
   * @param csv target file
   * @param rows (image, tags, post) triples
   * @throws IOException on failure
   */
  public static void write(Path csv, List<String[]> rows) throws IOException {
    StringBuilder sb = new StringBuilder("image,tags,post\n");
    for (String[] r : rows) {
      sb.append(String.join(",", Arrays.stream(r).map(TagsCsv::quote).toList())).append('\n');
    }
    Files.writeString(csv, sb.toString(), StandardCharsets.UTF_8);
  }

  private static String quote(String s) {
    if (s == null) {
      return "";
    }
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
