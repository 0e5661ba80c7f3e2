package io.sightline.tagging;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How often tags appear together in the stock's posts (a post counts once, with the union of its
 * images' tags), for suggestions that take the tags a user has already typed into account.
 * Immutable; built from a snapshot of the stock.
 */
final class TagCooccurrence {
  private final Map<String, Integer> posts = new HashMap<>();
  private final Map<String, Map<String, Integer>> together = new HashMap<>();

  TagCooccurrence(List<TagModel.Row> rows) {
    Map<String, Set<String>> byPost = new HashMap<>();
    for (TagModel.Row r : rows) {
      byPost.computeIfAbsent(r.postKey(), k -> new java.util.HashSet<>()).addAll(r.tags());
    }
    for (Set<String> tags : byPost.values()) {
      for (String a : tags) {
        posts.merge(a, 1, Integer::sum);
        Map<String, Integer> m = together.computeIfAbsent(a, k -> new HashMap<>());
        for (String b : tags) {
          if (!a.equals(b)) {
            m.merge(b, 1, Integer::sum);
          }
        }
      }
    }
  }

  /**
   * @param typed tags already chosen
   * @return for each other tag, the largest share of a typed tag's posts that also carry it
   *     (P(tag | typed tag)); typed tags unknown to the stock contribute nothing
   */
  Map<String, Double> given(Collection<String> typed) {
    Map<String, Double> out = new HashMap<>();
    for (String t : typed) {
      Integer n = posts.get(t);
      if (n == null) {
        continue;
      }
      together.getOrDefault(t, Map.of()).forEach((other, c) -> out.merge(other, c / (double) n, Math::max));
    }
    typed.forEach(out::remove);
    return out;
  }
}
