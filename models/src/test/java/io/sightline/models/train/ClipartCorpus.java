package io.sightline.models.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The openclipart drawings (Debian {@code openclipart-png} + {@code openclipart-svg}, CC0) with
 * the title and keywords of each drawing's SVG metadata ({@code dc:title}, {@code dc:subject}),
 * split into train / validation / test by drawing family: the normalised title (digits, version
 * marks and punctuation removed), so near-twins ("tree 01", "tree 02") never straddle the split.
 */
final class ClipartCorpus {
  /** Split of a drawing. */
  enum Split { TRAIN, VALIDATION, TEST }

  /**
   * One drawing.
   *
   * @param png the PNG file
   * @param category the category folder path under the PNG root, e.g. {@code animals/birds}
   * @param title the SVG title (the file stem when it has none)
   * @param keywords the SVG keywords, without generic ones
   * @param family the split key
   * @param split where it belongs
   */
  record Item(Path png, String category, String title, List<String> keywords, String family, Split split) {
    /** @return the text the image is paired with: title, then keywords */
    String text() {
      return keywords.isEmpty() ? title : title + ". " + String.join(", ", keywords);
    }

    /**
     * @return the texts a training view may be paired with: the whole text (listed twice, so it
     *     is drawn most often), the title, up to six keywords and the last category folder — so
     *     that single words (tags) land near the drawings they describe, not only sentences
     */
    List<String> variants() {
      List<String> v = new ArrayList<>();
      v.add(text());
      v.add(text());
      if (!keywords.isEmpty()) {
        v.add(title);
      }
      for (String k : keywords.subList(0, Math.min(6, keywords.size()))) {
        v.add(k);
      }
      if (!category.isEmpty()) {
        v.add(category.substring(category.lastIndexOf('/') + 1).replace('_', ' '));
      }
      return v;
    }
  }

  /** Keywords that say nothing about what a drawing shows. */
  static final Set<String> GENERIC = Set.of("unsorted", "clip art", "clipart", "image", "media", "png", "svg",
      "public domain", "externalsource", "openclipart", "ocal", "drawing", "picture", "inkscape", "remix",
      "2007", "2008", "2009", "2010", "2011", "2012", "how-to", "icon", "cartoon", "colour", "color",
      "black and white", "line art", "lineart", "illustration");

  private static final Pattern TITLE = Pattern.compile("<dc:title>([^<]*)</dc:title>");
  private static final Pattern SUBJECT = Pattern.compile("<dc:subject>(.*?)</dc:subject>", Pattern.DOTALL);
  private static final Pattern LI = Pattern.compile("<rdf:li>([^<]*)</rdf:li>");

  private ClipartCorpus() {}

  /**
   * @param pngRoot folder of the PNG package ({@code .../openclipart/png})
   * @param svgRoot folder of the SVG package ({@code .../openclipart/svg}), same relative paths
   * @param testShare share of families held out for the test split (by a hash of the family)
   * @param validationShare share of families held out for validation
   * @return every drawing with a readable PNG, sorted by path
   * @throws IOException when a folder cannot be listed
   */
  static List<Item> load(Path pngRoot, Path svgRoot, double testShare, double validationShare) throws IOException {
    List<Path> pngs;
    try (Stream<Path> s = Files.walk(pngRoot)) {
      pngs = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
    List<Item> items = new ArrayList<>();
    for (Path png : pngs) {
      String rel = pngRoot.relativize(png).toString();
      String stem = png.getFileName().toString().replaceFirst("\\.png$", "");
      Path svg = svgRoot.resolve(rel.replaceFirst("\\.png$", ".svg"));
      String title = null;
      List<String> keywords = new ArrayList<>();
      if (Files.isRegularFile(svg)) {
        String xml = Files.readString(svg, StandardCharsets.ISO_8859_1);
        Matcher t = TITLE.matcher(xml);
        if (t.find()) {
          title = clean(t.group(1));
        }
        Matcher subj = SUBJECT.matcher(xml);
        if (subj.find()) {
          Set<String> seen = new LinkedHashSet<>();
          Matcher li = LI.matcher(subj.group(1));
          while (li.find()) {
            String k = clean(li.group(1)).toLowerCase(Locale.ROOT);
            if (!k.isBlank() && !GENERIC.contains(k) && k.length() <= 40) {
              seen.add(k);
            }
          }
          keywords.addAll(seen);
        }
      }
      if (title == null || title.isBlank()) {
        title = stem.replace('_', ' ');
      }
      Path parent = pngRoot.relativize(png).getParent();
      String category = parent == null ? "" : parent.toString().replace('\\', '/');
      String family = family(title);
      items.add(new Item(png, category, title, List.copyOf(keywords), family, split(family, testShare,
          validationShare)));
    }
    return items;
  }

  /** Decodes the few XML entities SVG metadata uses and trims. */
  static String clean(String s) {
    return s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
        .replace("&apos;", "'").replaceAll("\\s+", " ").trim();
  }

  /** The family key: lower-case title letters only, version marks and numbers dropped. */
  static String family(String title) {
    String f = title.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L} ]", " ")
        .replaceAll("\\b(v|ver|version|remix|alt|alternative|colou?r|bw|black|white|simple|small|big|icon)\\b", " ")
        .replaceAll("\\s+", " ").trim();
    return f.isEmpty() ? title.toLowerCase(Locale.ROOT) : f;
  }

  static Split split(String family, double testShare, double validationShare) {
    // a stable hash (String.hashCode is specified), mixed so that similar keys spread
    long h = family.hashCode() * 0x9E3779B97F4A7C15L;
    double u = ((h >>> 11) & ((1L << 53) - 1)) / (double) (1L << 53);
    if (u < testShare) {
      return Split.TEST;
    }
    return u < testShare + validationShare ? Split.VALIDATION : Split.TRAIN;
  }
}
