package io.sightline.describer;

import java.util.Objects;

/**
 * One occurrence of an entity in a text.
 *
 * @param key normalised form ({@link EntityNames#key}): identical entities share it
 * @param surface the text as written (or the dictionary's canonical name)
 * @param kind what kind of candidate it is
 * @param start offset of the first char in the text given to the extractor
 * @param end offset after the last char
 */
public record EntityMention(String key, String surface, EntityKind kind, int start, int end) {
  /** Validates. */
  public EntityMention {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(surface, "surface");
    Objects.requireNonNull(kind, "kind");
    if (key.isEmpty() || start < 0 || end < start) {
      throw new IllegalArgumentException("bad mention " + surface + " [" + start + "," + end + ")");
    }
  }
}
