package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The scores of the soft-cluster, nearest-neighbour and fused strategies, recomputed here from
 * their documented rules out of the evidence each suggestion carries (matched clusters with their
 * similarities, neighbours with theirs), for a query between two blobs so that several clusters
 * and neighbours carry weight.
 */
class StrategyScoresTest {
  private static final int D = 6;
  private static final TagSelection ALL = TagSelection.top(Integer.MAX_VALUE);

  private static TagRecommender trained(FusionWeights fusion) {
    TagRecommender r = TagRecommender.builder().vectors("test-embedder/1", D)
        .clustering(ClusteringOptions.defaults().withClusters(3).withInit(CentreInit.KMEANS_PLUS_PLUS))
        .neighbours(30).softClusters(3).fusion(fusion).build();
    r.addStock(Blobs.stock(20, D, 1));
    r.train();
    return r;
  }

  /** Between blob 0 and blob 1, a little nearer blob 0. */
  private static float[] between() {
    float[] a = Blobs.centre(0, D);
    float[] b = Blobs.centre(1, D);
    float[] q = new float[D];
    for (int j = 0; j < D; j++) {
      q[j] = 0.6f * a[j] + 0.4f * b[j];
    }
    return q;
  }

  private static Map<String, TagScore> byTag(TagSuggestion s) {
    Map<String, TagScore> out = new HashMap<>();
    for (TagScore t : s.tags()) {
      out.put(t.tag(), t);
    }
    return out;
  }

  private static void assertRanked(TagSuggestion s) {
    for (int i = 1; i < s.tags().size(); i++) {
      assertThat(s.tags().get(i).frequency()).isLessThanOrEqualTo(s.tags().get(i - 1).frequency());
    }
  }

  /** Weight of cluster c = max(0, similarity) / Σ max(0, similarity); score(t) = Σ_c weight · frequency_c(t). */
  @Test
  void softClusterScoresAreSimilarityWeightedClusterFrequencies() {
    try (TagRecommender r = trained(FusionWeights.defaults())) {
      TagModel m = r.model().orElseThrow();
      TagSuggestion s = r.suggestVector(between(), Strategy.SOFT_CLUSTERS, ALL);
      assertThat(s.clusters()).hasSize(3);
      double total = s.clusters().stream().mapToDouble(c -> Math.max(0, c.similarity())).sum();
      Map<String, Double> expected = new HashMap<>();
      Map<String, Integer> counts = new HashMap<>();
      for (ClusterMatch c : s.clusters()) {
        double w = Math.max(0, c.similarity()) / total;
        assertThat(c.weight()).isCloseTo(w, within(1e-12));
        ClusterTags ct = m.cluster(c.cluster());
        for (Map.Entry<String, Integer> e : ct.counts().entrySet()) {
          expected.merge(e.getKey(), w * ct.frequency(e.getKey()), Double::sum);
          counts.merge(e.getKey(), e.getValue(), Integer::sum);
        }
      }
      // two clusters really share the weight
      assertThat(s.clusters().get(1).weight()).isGreaterThan(0.2);
      Map<String, TagScore> got = byTag(s);
      expected.forEach((t, v) -> {
        if (v > 0) {
          assertThat(got.get(t).frequency()).as(t).isCloseTo(Math.min(1, v), within(1e-9));
          assertThat(got.get(t).count()).as(t).isEqualTo(counts.get(t));
        }
      });
      assertThat(s.tags().get(0).tag()).isEqualTo("beach");
      assertRanked(s);
    }
  }

  /** One vote per post (its best hit); weight = max(0, similarity) / Σ; score(t) = Σ weights of posts with t. */
  @Test
  void neighbourScoresAreSimilarityWeightedVotes() {
    try (TagRecommender r = trained(FusionWeights.defaults())) {
      TagSuggestion s = r.suggestVector(between(), Strategy.NEAREST_NEIGHBOURS, ALL);
      assertThat(s.neighbours()).hasSize(30);
      Set<String> blobs = new HashSet<>();
      double total = 0;
      for (NeighbourMatch n : s.neighbours()) {
        total += Math.max(0, n.similarity());
        blobs.add(n.image().substring(0, 2));
      }
      assertThat(blobs).as("neighbours from both blobs").contains("b0", "b1");
      Map<String, Double> expected = new HashMap<>();
      Map<String, Integer> votes = new HashMap<>();
      for (NeighbourMatch n : s.neighbours()) {
        for (String t : n.tags()) {
          expected.merge(t, Math.max(0, n.similarity()) / total, Double::sum);
          votes.merge(t, 1, Integer::sum);
        }
      }
      Map<String, TagScore> got = byTag(s);
      assertThat(got.keySet()).isEqualTo(expected.keySet());
      expected.forEach((t, v) -> {
        assertThat(got.get(t).frequency()).as(t).isCloseTo(Math.min(1, v), within(1e-9));
        assertThat(got.get(t).count()).as(t).isEqualTo(votes.get(t));
      });
      assertRanked(s);
    }
  }

  /** Images of one post vote once, with the similarity of the post's best hit; count = posts with the tag. */
  @Test
  void neighboursOfOnePostVoteOnceWithTheirBestSimilarity() {
    java.util.Random rnd = new java.util.Random(2);
    List<StockImage> stock = new java.util.ArrayList<>();
    for (int b = 0; b < 2; b++) {
      for (int i = 0; i < 12; i++) {
        int post = i / 3;
        Set<String> tags = post % 2 == 0 ? Set.of(Blobs.TAGS[b][0], Blobs.TAGS[b][1]) : Set.of(Blobs.TAGS[b][0]);
        stock.add(new StockImage("b" + b + "-" + i, Blobs.near(b, D, rnd, 0.05), tags, "p" + b + "-" + post));
      }
    }
    try (TagRecommender r = TagRecommender.builder().vectors("test-embedder/1", D)
        .clustering(ClusteringOptions.defaults().withClusters(2).withInit(CentreInit.KMEANS_PLUS_PLUS))
        .neighbours(16).build()) {
      r.addStock(stock);
      r.train();
      TagSuggestion s = r.suggestVector(between(), Strategy.NEAREST_NEIGHBOURS, ALL);
      assertThat(s.neighbours()).hasSize(16);
      Map<String, NeighbourMatch> best = new HashMap<>();
      for (NeighbourMatch n : s.neighbours()) {
        best.merge(n.post(), n, (a, b) -> a.similarity() >= b.similarity() ? a : b);
      }
      assertThat(best.size()).as("fewer posts than images").isLessThan(16);
      double total = best.values().stream().mapToDouble(n -> Math.max(0, n.similarity())).sum();
      Map<String, Double> expected = new HashMap<>();
      Map<String, Integer> posts = new HashMap<>();
      for (NeighbourMatch n : best.values()) {
        for (String t : n.tags()) {
          expected.merge(t, Math.max(0, n.similarity()) / total, Double::sum);
          posts.merge(t, 1, Integer::sum);
        }
      }
      Map<String, TagScore> got = byTag(s);
      assertThat(got.keySet()).isEqualTo(expected.keySet());
      expected.forEach((t, v) -> {
        assertThat(got.get(t).frequency()).as(t).isCloseTo(Math.min(1, v), within(1e-9));
        assertThat(got.get(t).count()).as(t).isEqualTo(posts.get(t));
      });
    }
  }

  /** score(t) = min(1, (a · neighbours(t) + b · clusters(t)) / prior(t)^lift), prior = posts with t / posts. */
  @Test
  void fusedScoresAddWeightedStrategiesAndDivideByThePriorToTheLift() {
    FusionWeights f = new FusionWeights(0.3, 0.2, 0, 0.02, 0.5);
    try (TagRecommender r = trained(f)) {
      TagModel m = r.model().orElseThrow();
      float[] q = between();
      Map<String, TagScore> nn = byTag(r.suggestVector(q, Strategy.NEAREST_NEIGHBOURS, ALL));
      Map<String, TagScore> soft = byTag(r.suggestVector(q, Strategy.SOFT_CLUSTERS, ALL));
      TagSuggestion fused = r.suggestVector(q, Strategy.FUSED, ALL);
      Set<String> tags = new HashSet<>(nn.keySet());
      tags.addAll(soft.keySet());
      double posts = m.overall().posts();
      Map<String, TagScore> got = byTag(fused);
      assertThat(got.keySet()).isEqualTo(tags);
      for (String t : tags) {
        double s = 0.3 * (nn.containsKey(t) ? nn.get(t).frequency() : 0)
            + 0.2 * (soft.containsKey(t) ? soft.get(t).frequency() : 0);
        double prior = m.overall().counts().get(t) / posts;
        assertThat(got.get(t).frequency()).as(t).isCloseTo(Math.min(1, s / Math.sqrt(prior)), within(1e-9));
        assertThat(got.get(t).count()).isEqualTo(m.overall().counts().get(t));
      }
      assertThat(fused.neighbours()).hasSize(30);
      assertThat(fused.clusters()).hasSize(3);
      List<TagScore> ranked = fused.tags();
      for (int i = 1; i < ranked.size(); i++) {
        TagScore a = ranked.get(i - 1);
        TagScore b = ranked.get(i);
        assertThat(a.frequency() > b.frequency() || a.frequency() == b.frequency() && a.tag().compareTo(b.tag()) < 0)
            .as("%s before %s", a, b).isTrue();
      }
    }
  }

  /** score(t) = a · neighbours(t) + p · probe(t): the probe's score enters with its own weight. */
  @Test
  void fusedScoresAddTheLinearProbeWithItsWeight() {
    FusionWeights without = new FusionWeights(0.3, 0, 0, 0.02, 0);
    FusionWeights with = new FusionWeights(0.3, 0, 0, 0.02, 0, 0.5);
    assertThat(without.probe()).isZero();
    try (TagRecommender r0 = trained(without); TagRecommender r1 = trained(with)) {
      float[] q = between();
      Map<String, TagScore> base = byTag(r0.suggestVector(q, Strategy.FUSED, ALL));
      Map<String, TagScore> fused = byTag(r1.suggestVector(q, Strategy.FUSED, ALL));
      Map<String, TagScore> probe = byTag(r1.suggestVector(q, Strategy.LINEAR_PROBE, ALL));
      int checked = 0;
      for (TagScore p : probe.values()) {
        double b = base.containsKey(p.tag()) ? base.get(p.tag()).frequency() : 0;
        double expected = b + 0.5 * p.frequency();
        // where neither score was clipped, the fused score is exactly the weighted sum
        if (p.frequency() > 0 && p.frequency() < 1 && b < 1 && expected < 1) {
          assertThat(fused.get(p.tag()).frequency()).as(p.tag()).isCloseTo(expected, within(1e-9));
          checked++;
        }
      }
      assertThat(checked).as("tags with unclipped probe scores").isPositive();
    }
    // the probe alone: the fused ranking is the probe's; at weight 20 the top scores pass 1 and are
    // shown as 1, and the ranking still follows the unclipped scores
    for (double w : new double[] {1, 20}) {
      try (TagRecommender r = trained(new FusionWeights(0, 0, 0, 0.02, 0, w))) {
        float[] q = between();
        TagSuggestion fused = r.suggestVector(q, Strategy.FUSED, TagSelection.top(5));
        assertThat(fused.tagNames()).as("weight %s", w)
            .isEqualTo(r.suggestVector(q, Strategy.LINEAR_PROBE, TagSelection.top(5)).tagNames());
        if (w == 20) {
          assertThat(fused.tags().get(4).frequency()).as("clipped").isEqualTo(1.0);
        }
      }
    }
  }
}
