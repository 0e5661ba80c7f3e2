package io.sightline.crossmodal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The model's text-unit vocabulary: four special units ({@code [PAD]=0, [UNK]=1, [CLS]=2,
 * [MASK]=3}) followed by the units of the training corpus, most frequent first. Immutable and
 * thread-safe.
 */
public final class Vocabulary {
  /** Padding id. */
  public static final int PAD = 0;
  /** Unknown-unit id. */
  public static final int UNK = 1;
  /** Matching identifier (CLS) id. */
  public static final int CLS = 2;
  /** Text mask id. */
  public static final int MASK = 3;
  /** Number of special ids. */
  public static final int SPECIALS = 4;
  private static final List<String> SPECIAL_TOKENS = List.of("[PAD]", "[UNK]", "[CLS]", "[MASK]");

  private final List<String> tokens;
  private final Map<String, Integer> ids;

  /**
   * @param tokens every token, specials first, as {@link #tokens()} returns them
   */
  public Vocabulary(List<String> tokens) {
    Objects.requireNonNull(tokens, "tokens");
    if (tokens.size() < SPECIALS || !tokens.subList(0, SPECIALS).equals(SPECIAL_TOKENS)) {
      throw new IllegalArgumentException("vocabulary must start with " + SPECIAL_TOKENS);
    }
    this.tokens = List.copyOf(tokens);
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < this.tokens.size(); i++) {
      if (m.putIfAbsent(this.tokens.get(i), i) != null) {
        throw new IllegalArgumentException("duplicate token in vocabulary: " + this.tokens.get(i));
      }
    }
    this.ids = Collections.unmodifiableMap(m);
  }

  /**
   * Builds the vocabulary from the units of a corpus.
   *
   * @param texts the corpus
   * @param tokenizer the tokenizer
   * @param minCount units seen fewer times become [UNK]
   * @param maxSize largest vocabulary (specials included)
   * @return the vocabulary
   */
  public static Vocabulary build(Iterable<String> texts, TextTokenizer tokenizer, int minCount, int maxSize) {
    Map<String, Integer> counts = new TreeMap<>();
    for (String t : texts) {
      for (TextUnit u : tokenizer.tokenize(t)) {
        counts.merge(u.token(), 1, Integer::sum);
      }
    }
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
    entries.sort((a, b) -> b.getValue().equals(a.getValue())
        ? a.getKey().compareTo(b.getKey()) : b.getValue() - a.getValue());
    List<String> tokens = new ArrayList<>(SPECIAL_TOKENS);
    for (Map.Entry<String, Integer> e : entries) {
      if (tokens.size() >= maxSize) {
        break;
      }
      if (e.getValue() >= minCount && !SPECIAL_TOKENS.contains(e.getKey())) {
        tokens.add(e.getKey());
      }
    }
    return new Vocabulary(tokens);
  }

  /** @return number of ids */
  public int size() {
    return tokens.size();
  }

  /**
   * @param token a unit
   * @return its id, or {@link #UNK}
   */
  public int id(String token) {
    return ids.getOrDefault(token, UNK);
  }

  /**
   * @param token a unit
   * @return whether the token has its own id
   */
  public boolean contains(String token) {
    return ids.containsKey(token);
  }

  /**
   * @param id an id
   * @return its token
   */
  public String token(int id) {
    return tokens.get(id);
  }

  /** @return every token, specials first */
  public List<String> tokens() {
    return tokens;
  }

  /**
   * @param id an id
   * @return whether it is a special id
   */
  public static boolean isSpecial(int id) {
    return id < SPECIALS;
  }
}
