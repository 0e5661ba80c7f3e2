package io.sightline.tagging;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tag statistics of one image cluster (seed claim 4): how many stock images and posts it holds and
 * how many posts carry each tag. Immutable.
 *
 * @param cluster cluster number
 * @param images stock images in the cluster
 * @param posts distinct posts in the cluster (an image without a post is its own post)
 * @param counts posts carrying each tag
 */
public record ClusterTags(int cluster, int images, int posts, Map<String, Integer> counts) {
  /** Copies the counts. */
  public ClusterTags {
    counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
  }

  /**
   * @param tag a tag
   * @return share of the cluster's posts that carry it (0 when absent or the cluster is empty)
   */
  public double frequency(String tag) {
    Integer c = counts.get(tag);
    return c == null || posts == 0 ? 0.0 : c / (double) posts;
  }

  /** @return every tag with its count and frequency, most frequent first (ties: by name) */
  public List<TagCount> ranked() {
    List<TagCount> out = new ArrayList<>(counts.size());
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      out.add(new TagCount(e.getKey(), e.getValue(), posts == 0 ? 0 : e.getValue() / (double) posts));
    }
    out.sort(Comparator.comparingInt(TagCount::count).reversed().thenComparing(TagCount::tag));
    return out;
  }
}
