package io.sightline.commerce;

import io.sightline.core.InputFormatException;
import io.sightline.core.io.InputFiles;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Reads {@code catalog.csv} ({@code id,image,category,title,link}, then optional attribute
 * columns such as {@code price,brand,size,colour,in_stock}) into entries and per-line problems,
 * and encodes attributes for the database. Package-private helper of {@link ProductCatalog}.
 */
final class CatalogCsv {
  static final List<String> HEADER = List.of("id", "image", "category", "title", "link");
  /** The optional column of further images of a product, paths separated by {@code |}. */
  static final String ADDITIONAL_IMAGES = "additional_images";
  private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}_.-]+");
  /** The longest encoded attribute set, in characters (its column). */
  static final int MAX_ATTRIBUTES_LENGTH = 16384;

  /** Entries read, rows left out (with their line), and every id the file names (bad rows included). */
  record Parsed(List<CatalogEntry> entries, List<RowProblem> problems, Set<String> ids) {}

  private CatalogCsv() {}

  static Parsed read(Path catalogCsv, Path allowedRoot) {
    InputFiles.Builder b = InputFiles.builder(catalogCsv);
    if (allowedRoot != null) {
      b.allowedRoot(allowedRoot);
    }
    InputFiles in = b.build();
    List<String> header = new ArrayList<>();
    List<Csv.Row> rows = Csv.read(in, HEADER, header);
    List<String> attrNames = attributeNames(catalogCsv, header);
    List<CatalogEntry> entries = new ArrayList<>();
    List<RowProblem> problems = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (Csv.Row r : rows) {
      List<String> f = r.fields();
      if (!f.isEmpty() && !f.get(0).isEmpty()) {
        ids.add(f.get(0));
      }
      if (f.size() < 3) {
        problems.add(new RowProblem(r.line(), f.isEmpty() ? "" : f.get(0),
            "expected 'id,image,category,title,link' but got " + f.size() + " field(s)"));
        continue;
      }
      if (f.size() > HEADER.size() + attrNames.size()) {
        problems.add(new RowProblem(r.line(), f.get(0), "row has " + f.size() + " fields but the header "
            + (HEADER.size() + attrNames.size())));
        continue;
      }
      if (f.get(1).isEmpty()) {
        problems.add(new RowProblem(r.line(), f.get(0), "image is empty"));
        continue;
      }
      Path image;
      try {
        image = in.resolve(f.get(1), r.line());
      } catch (InputFormatException e) {
        problems.add(new RowProblem(r.line(), f.get(0), e.getMessage()));
        continue;
      }
      Map<String, String> attrs = new LinkedHashMap<>();
      List<Path> more = new ArrayList<>();
      String problem = null;
      for (int i = 0; i < attrNames.size() && HEADER.size() + i < f.size(); i++) {
        String v = f.get(HEADER.size() + i);
        if (attrNames.get(i).equals(ADDITIONAL_IMAGES)) {
          problem = additionalImages(in, v, r.line(), more);
        } else if (!v.isEmpty()) {
          attrs.put(attrNames.get(i), v);
        }
      }
      if (problem != null) {
        problems.add(new RowProblem(r.line(), f.get(0), problem));
        continue;
      }
      entries.add(new CatalogEntry(f.get(0), image, f.get(2), f.size() > 3 ? f.get(3) : "",
          f.size() > 4 ? f.get(4) : "", r.line(), attrs, more));
    }
    return new Parsed(entries, problems, ids);
  }

  /**
   * Resolves the {@code additional_images} field (paths separated by {@code |}) into {@code out}.
   *
   * @return a problem, or null
   */
  private static String additionalImages(InputFiles in, String field, long line, List<Path> out) {
    for (String part : field.split("\\|")) {
      String path = part.trim();
      if (path.isEmpty()) {
        continue;
      }
      if (out.size() == CatalogEntry.MAX_ADDITIONAL_IMAGES) {
        return "more than " + CatalogEntry.MAX_ADDITIONAL_IMAGES + " additional images";
      }
      try {
        out.add(in.resolve(path, line));
      } catch (InputFormatException e) {
        return "additional image: " + e.getMessage();
      }
    }
    return null;
  }

  private static List<String> attributeNames(Path file, List<String> header) {
    List<String> names = new ArrayList<>();
    Set<String> seen = new HashSet<>(HEADER);
    for (int i = HEADER.size(); i < header.size(); i++) {
      String n = header.get(i).trim().toLowerCase(Locale.ROOT);
      if (!NAME.matcher(n).matches()) {
        throw new InputFormatException(file, 1, "attribute column " + (i + 1) + " '" + header.get(i)
            + "': names are letters, digits, '_', '.' or '-'");
      }
      if (!seen.add(n)) {
        throw new InputFormatException(file, 1, "column '" + n + "' appears twice in the header");
      }
      names.add(n);
    }
    return names;
  }

  /** @return the attributes as {@code k=v&k=v} (URL-encoded, sorted by key), "" for none */
  static String encode(Map<String, String> attributes) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(attributes).entrySet()) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  /** Inverse of {@link #encode}; null or "" gives an empty map. */
  static Map<String, String> decode(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    if (text == null || text.isEmpty()) {
      return m;
    }
    for (String kv : text.split("&")) {
      int eq = kv.indexOf('=');
      m.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  /** @return a problem with the entry's attributes, or null */
  static String validateAttributes(CatalogEntry e) {
    for (String k : e.attributes().keySet()) {
      if (!NAME.matcher(k).matches() || k.equals(ProductFilter.CATEGORY)) {
        return "attribute name '" + k + "' is not allowed (letters, digits, '_', '.', '-'; not 'category')";
      }
    }
    int n = encode(e.attributes()).length();
    return n > MAX_ATTRIBUTES_LENGTH ? "attributes are " + n + " characters encoded, over the limit of "
        + MAX_ATTRIBUTES_LENGTH : null;
  }
}
