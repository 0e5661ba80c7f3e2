package io.sightline.describer;

import io.sightline.core.InputFormatException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The description information of one reference image: the page (image source) it came from.
 *
 * <p>Seed [0023]: the text around the image, the page's structured information (such as the
 * {@code <title>} tag and site fields) and the source statistics (how often the content was
 * displayed, viewed and clicked) together describe the image.
 *
 * @param id unique id of the reference (one page showing one image)
 * @param title the page title (may be empty)
 * @param text the text around the image (may be empty)
 * @param fields structured fields of the page, e.g. {@code "subject" -> "flag of Peru"} (may be empty)
 * @param displays how many times the source content was displayed (>= 0)
 * @param views how many times it was viewed (>= 0)
 * @param clicks how many times it was clicked (>= 0)
 */
public record Reference(String id, String title, String text, Map<String, String> fields,
    long displays, long views, long clicks) {
  /** The longest id accepted, in characters (the store's id column). */
  public static final int MAX_ID_LENGTH = 2000;

  /**
   * Validates and copies.
   *
   * @throws InputFormatException when the id is blank or longer than {@link #MAX_ID_LENGTH}
   *     characters, a count is negative, or a text holds an
   *     unpaired surrogate (text that was not valid UTF-8 / UTF-16)
   */
  public Reference {
    if (id == null || id.isBlank()) {
      throw new InputFormatException(null, 0, "reference id is missing or blank");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw new InputFormatException(null, 0, "\"id\" is " + id.length()
          + " characters, over the limit of " + MAX_ID_LENGTH + " (starts \"" + id.substring(0, 40) + "...\")");
    }
    title = title == null ? "" : title;
    text = text == null ? "" : text;
    Map<String, String> f = new LinkedHashMap<>();
    if (fields != null) {
      for (Map.Entry<String, String> e : fields.entrySet()) {
        Objects.requireNonNull(e.getKey(), "field name");
        f.put(e.getKey(), e.getValue() == null ? "" : e.getValue());
      }
    }
    fields = java.util.Collections.unmodifiableMap(f);
    if (displays < 0 || views < 0 || clicks < 0) {
      throw new InputFormatException(null, 0, "reference " + id
          + ": displays, views and clicks must be >= 0");
    }
    checkText(id, "title", title);
    checkText(id, "text", text);
    for (Map.Entry<String, String> e : fields.entrySet()) {
      checkText(id, "field " + e.getKey(), e.getValue());
    }
  }

  /**
   * A reference without source statistics.
   *
   * @param id id
   * @param title page title
   * @param text text around the image
   * @return the reference
   */
  public static Reference of(String id, String title, String text) {
    return new Reference(id, title, text, Map.of(), 0, 0, 0);
  }

  /** @return true when title, text and every field are blank: there is nothing to describe with */
  public boolean isEmptyPage() {
    if (!title.isBlank() || !text.isBlank()) {
      return false;
    }
    for (String v : fields.values()) {
      if (!v.isBlank()) {
        return false;
      }
    }
    return true;
  }

  /**
   * @param displays new display count
   * @param views new view count
   * @param clicks new click count
   * @return a copy with other source statistics
   */
  public Reference withStatistics(long displays, long views, long clicks) {
    return new Reference(id, title, text, fields, displays, views, clicks);
  }

  private static void checkText(String id, String what, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        throw new InputFormatException(null, 0, "reference " + id + ": " + what
            + " is not valid Unicode text (unpaired surrogate at index " + i + ")");
      }
      if (Character.isLowSurrogate(c)) {
        throw new InputFormatException(null, 0, "reference " + id + ": " + what
            + " is not valid Unicode text (unpaired surrogate at index " + i + ")");
      }
    }
  }
}
