package io.sightline.tagging;

import io.sightline.core.InputFormatException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One tagged stock image: its feature vector (from the recommender's embedder), its tags, and
 * optionally the post it was published in (images of one post share tags and count once, seed
 * [0066]).
 *
 * @param id unique id of the image (for files, usually the path)
 * @param vector feature vector; copied, never modified
 * @param tags at least one tag; blank tags are dropped, the rest trimmed (case is kept)
 * @param post the post the image belongs to, or null when it stands alone
 */
public record StockImage(String id, float[] vector, Set<String> tags, String post) {
  /** Maximum length of a tag or id, in characters. */
  public static final int MAX_TEXT = 1000;
  static final char SEPARATOR = '\u001F';

  /**
   * Validates and copies.
   *
   * @throws InputFormatException when the id is blank, the vector missing, or no tag remains
   */
  public StockImage {
    if (id == null || id.isBlank()) {
      throw new InputFormatException(null, 0, "stock image without an id");
    }
    if (id.length() > MAX_TEXT) {
      throw new InputFormatException(null, 0, "stock image id longer than " + MAX_TEXT + " characters");
    }
    if (vector == null) {
      throw new InputFormatException(null, 0, "stock image '" + id + "' has no feature vector");
    }
    vector = vector.clone();
    tags = cleanTags(tags);
    if (tags.isEmpty()) {
      throw new InputFormatException(null, 0, "stock image '" + id + "' has no tag; every stock image needs at least one");
    }
    post = post == null || post.isBlank() ? null : post.trim();
    if (post != null && post.length() > MAX_TEXT) {
      throw new InputFormatException(null, 0, "stock image '" + id + "': post longer than " + MAX_TEXT
          + " characters");
    }
  }

  /** @return a copy of the vector */
  @Override
  public float[] vector() {
    return vector.clone();
  }

  /** @return the post, or (for a stand-alone image) a key unique to the image */
  public String postKey() {
    return post != null ? "post:" + post : "image:" + id;
  }

  float[] vectorRef() {
    return vector;
  }

  static Set<String> cleanTags(Set<String> tags) {
    Set<String> out = new LinkedHashSet<>();
    if (tags != null) {
      for (String t : tags) {
        if (t != null && !t.isBlank()) {
          String s = t.trim();
          if (s.indexOf(SEPARATOR) >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new InputFormatException(null, 0, "tag '" + s.replaceAll("[\\p{Cntrl}]", "?")
                + "' contains a line break or control separator");
          }
          if (s.length() > MAX_TEXT) {
            throw new InputFormatException(null, 0, "tag longer than " + MAX_TEXT + " characters");
          }
          out.add(s);
        }
      }
    }
    return Collections.unmodifiableSet(out);
  }
}
