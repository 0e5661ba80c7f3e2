package io.sightline.describer;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Normalises entity surface forms so that identical entities group together (claim 4):
 * Unicode NFKC, lower case, typographic apostrophes and dashes folded, a leading article
 * ("the", "a", "an") and a trailing possessive ("'s") removed, punctuation trimmed from both ends,
 * white space collapsed. "The Flag of Peru's" and "flag of  Peru" share the key "flag of peru".
 *
 * <p>Stateless and thread-safe.
 */
public final class EntityNames {
  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern ARTICLE = Pattern.compile("^(the|a|an)\\s+");
  private static final Pattern POSSESSIVE = Pattern.compile("'s?$");

  private EntityNames() {}

  /**
   * @param surface a surface form
   * @return its key; empty when nothing but punctuation and articles remains
   */
  public static String key(String surface) {
    String s = Normalizer.normalize(surface, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    s = s.replace('\u2019', '\'').replace('\u2018', '\'').replace('\u2013', '-').replace('\u2014', '-');
    s = SPACES.matcher(s).replaceAll(" ").strip();
    s = trimPunctuation(s);
    s = ARTICLE.matcher(s).replaceFirst("");
    s = POSSESSIVE.matcher(s).replaceFirst("");
    return trimPunctuation(s).strip();
  }

  private static String trimPunctuation(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && !Character.isLetterOrDigit(s.codePointAt(a))) {
      a += Character.charCount(s.codePointAt(a));
    }
    while (b > a && !Character.isLetterOrDigit(s.codePointBefore(b))) {
      b -= Character.charCount(s.codePointBefore(b));
    }
    return s.substring(a, b);
  }

  /**
   * Word count of a key: space-separated words, or for text without spaces (CJK, Thai) the
   * number of code points.
   *
   * @param key a key
   * @return its length in words
   */
  public static int words(String key) {
    if (key.isEmpty()) {
      return 0;
    }
    if (key.indexOf(' ') < 0 && DictionaryEntityExtractor.isUnspacedScript(key.codePointAt(0))) {
      return key.codePointCount(0, key.length());
    }
    return key.split(" ").length;
  }
}
