package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LINEAR_PROBE strategy: the ridge solution, its persistence beside the model, and its fitting. */
class LinearProbeTest {
  static final int D = 4;

  static float[] axis(int i) {
    float[] v = new float[D];
    v[i] = 1;
    return v;
  }

  /** One stock image per axis, tag "t" + axis: XᵀX = I, so the ridge weights are known in closed form. */
  static List<StockImage> basisStock() {
    List<StockImage> s = new ArrayList<>();
    for (int i = 0; i < D; i++) {
      s.add(new StockImage("img" + i, axis(i), Set.of("t" + i), null));
    }
    return s;
  }

  static TagRecommender.Builder builder() {
    return TagRecommender.builder().vectors("test-embedder/1", D).minTagPosts(1)
        .clustering(ClusteringOptions.defaults().withClusters(2).withSeed(1).withInit(CentreInit.KMEANS_PLUS_PLUS));
  }

  @Test
  void scoresAreTheTagShareplusTheRidgeProjection() {
    try (TagRecommender r = builder().build()) {
      r.addStock(basisStock());
      r.train();
      // W = (I + λI)⁻¹ (Y − p) with λ = 1, p = 1/4: own tag 1/4 + (3/4)/2, the others 1/4 − (1/4)/2
      TagSuggestion s = r.suggestVector(axis(1), Strategy.LINEAR_PROBE, TagSelection.top(4));
      assertThat(s.strategy()).isEqualTo(Strategy.LINEAR_PROBE);
      assertThat(s.tagNames()).first().isEqualTo("t1");
      assertThat(s.tags().get(0).frequency()).isCloseTo(0.625, within(1e-6));
      for (int i = 1; i < 4; i++) {
        assertThat(s.tags().get(i).frequency()).isCloseTo(0.125, within(1e-6));
      }
      // a query between two axes gets both tags first, the nearer one ahead
      float[] q = {0, 0.8f, 0.6f, 0};
      assertThat(r.suggestVector(q, Strategy.LINEAR_PROBE, TagSelection.top(2)).tagNames()).containsExactly("t1", "t2");
    }
  }

  @Test
  void aTagSharedAcrossFamiliesIsLearntFromEveryImageThatHasIt() {
    // three families (axes 0..2); in each, half the images are "red" (+0.6 on axis 3), half not (−0.6)
    Random rnd = new Random(5);
    List<StockImage> s = new ArrayList<>();
    for (int f = 0; f < 3; f++) {
      for (int i = 0; i < 10; i++) {
        boolean red = i % 2 == 0;
        float[] v = axis(f);
        v[3] = red ? 0.6f : -0.6f;
        for (int j = 0; j < D; j++) {
          v[j] += (float) (0.05 * rnd.nextGaussian());
        }
        s.add(new StockImage("f" + f + "-" + i, v, red ? Set.of("fam" + f, "red") : Set.of("fam" + f), null));
      }
    }
    try (TagRecommender r = builder().build()) {
      r.addStock(s);
      r.train();
      float[] q = {0.1f, 0.1f, 0.9f, 0.5f}; // family 2, red
      TagSuggestion red = r.suggestVector(q, Strategy.LINEAR_PROBE, TagSelection.top(2));
      assertThat(red.tagNames()).containsExactlyInAnyOrder("fam2", "red");
      q[3] = -0.5f; // family 2, not red
      TagSuggestion notRed = r.suggestVector(q, Strategy.LINEAR_PROBE, TagSelection.top(4));
      assertThat(notRed.tagNames().get(0)).isEqualTo("fam2");
      assertThat(score(red, "red")).isGreaterThan(0.8);
      assertThat(score(notRed, "red")).isLessThan(0.2);
    }
  }

  static double score(TagSuggestion s, String tag) {
    return s.tags().stream().filter(t -> t.tag().equals(tag)).mapToDouble(TagScore::frequency).findFirst().orElse(0);
  }

  @Test
  void theProbeIsSavedAtTrainingAndReadBackOrFittedAgainWhenItsFileIsBad(@TempDir Path dir) throws Exception {
    List<String> expected;
    double first;
    try (TagRecommender r = builder().directory(dir).build()) {
      r.addStock(basisStock());
      r.train();
      TagSuggestion s = r.suggestVector(axis(2), Strategy.LINEAR_PROBE, TagSelection.top(4));
      expected = s.tagNames();
      first = s.tags().get(0).frequency();
    }
    Path file = dir.resolve(TagRecommender.PROBE_FILE);
    assertThat(file).exists();
    byte[] saved = Files.readAllBytes(file);
    try (TagRecommender r = builder().directory(dir).build()) {
      assertThat(r.suggestVector(axis(2), Strategy.LINEAR_PROBE, TagSelection.top(4)).tagNames()).isEqualTo(expected);
    }
    // a damaged probe file: the stock is here, so the probe is fitted again and saved sound
    Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17});
    try (TagRecommender r = builder().directory(dir).build()) {
      TagSuggestion s = r.suggestVector(axis(2), Strategy.LINEAR_PROBE, TagSelection.top(4));
      assertThat(s.tagNames()).isEqualTo(expected);
      assertThat(s.tags().get(0).frequency()).isCloseTo(first, within(1e-9));
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(saved);
  }

  @Test
  void retrainingOnAnotherStockReplacesTheSavedProbe(@TempDir Path dir) {
    try (TagRecommender r = builder().directory(dir).build()) {
      r.addStock(basisStock());
      r.train();
      assertThat(r.suggestVector(axis(3), Strategy.LINEAR_PROBE, TagSelection.top(1)).tagNames()).containsExactly("t3");
      // axis 3 now also carries "extra" on two more images
      r.addStock(List.of(new StockImage("x1", axis(3), Set.of("extra"), null),
          new StockImage("x2", axis(3), Set.of("extra"), null)));
      r.train();
      assertThat(r.suggestVector(axis(3), Strategy.LINEAR_PROBE, TagSelection.top(1)).tagNames())
          .containsExactly("extra");
    }
    try (TagRecommender r = builder().directory(dir).build()) {
      assertThat(r.suggestVector(axis(3), Strategy.LINEAR_PROBE, TagSelection.top(1)).tagNames())
          .containsExactly("extra");
    }
  }

  @Test
  void choleskySolvesASymmetricPositiveDefiniteSystem() {
    Random rnd = new Random(7);
    int d = 7;
    int t = 3;
    double[] m = new double[d * d];
    for (int i = 0; i < m.length; i++) {
      m[i] = rnd.nextGaussian();
    }
    double[] a = new double[d * d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        double s = i == j ? 0.5 : 0;
        for (int k = 0; k < d; k++) {
          s += m[k * d + i] * m[k * d + j];
        }
        a[i * d + j] = s;
      }
    }
    double[] b = new double[d * t];
    for (int i = 0; i < b.length; i++) {
      b[i] = rnd.nextGaussian();
    }
    double[] x = b.clone();
    TagProbe.solveCholesky(a.clone(), x, d, t);
    for (int i = 0; i < d; i++) {
      for (int c = 0; c < t; c++) {
        double s = 0;
        for (int k = 0; k < d; k++) {
          s += a[i * d + k] * x[k * t + c];
        }
        assertThat(s).isCloseTo(b[i * t + c], within(1e-9));
      }
    }
  }

  @Test
  void theWeightsSolveTheRidgeNormalEquations() {
    // correlated features, so that every entry of XᵀX matters
    Random rnd = new Random(11);
    int n = 40;
    int d = 5;
    double lambda = 0.7;
    List<String> vocab = List.of("a", "b", "c");
    float[][] x = new float[n][d];
    List<Set<String>> tags = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double common = rnd.nextGaussian();
      for (int j = 0; j < d; j++) {
        x[i][j] = (float) (common + 0.5 * rnd.nextGaussian() + j * 0.1);
      }
      Set<String> t = new java.util.HashSet<>();
      if (x[i][0] > 0) {
        t.add("a");
      }
      if (x[i][1] + x[i][2] > 0.5) {
        t.add("b");
      }
      if (rnd.nextBoolean()) {
        t.add("c");
      }
      tags.add(t);
    }
    TagProbe probe = TagProbe.fit(1, d, x, tags, vocab, lambda);
    java.util.Map<String, Double> prior = probe.scores(new float[d]);
    double[][] w = new double[d][vocab.size()];
    for (int p = 0; p < d; p++) {
      float[] e = new float[d];
      e[p] = 1;
      java.util.Map<String, Double> s = probe.scores(e);
      for (int j = 0; j < vocab.size(); j++) {
        w[p][j] = s.get(vocab.get(j)) - prior.get(vocab.get(j));
      }
    }
    for (int j = 0; j < vocab.size(); j++) {
      String tag = vocab.get(j);
      double share = tags.stream().filter(t -> t.contains(tag)).count() / (double) n;
      assertThat(prior.get(tag)).isCloseTo(share, within(1e-6));
      for (int p = 0; p < d; p++) {
        // row p of (XᵀX + λI) W against row p of Xᵀ(Y − share)
        double lhs = lambda * w[p][j];
        double rhs = 0;
        for (int i = 0; i < n; i++) {
          double xw = 0;
          for (int q = 0; q < d; q++) {
            xw += x[i][q] * w[q][j];
          }
          lhs += x[i][p] * xw;
          rhs += x[i][p] * ((tags.get(i).contains(tag) ? 1 : 0) - share);
        }
        assertThat(lhs).as("tag %s, row %d", tag, p).isCloseTo(rhs, within(1e-3 * (1 + Math.abs(rhs))));
      }
    }
  }

  @Test
  void aSavedProbeOfTheModelIsReadNotFittedAgain(@TempDir Path dir) {
    long generation;
    try (TagRecommender r = builder().directory(dir).build()) {
      r.addStock(basisStock());
      r.train();
      generation = r.model().orElseThrow().generation();
    }
    // a probe of the same model that knows one image only, tagged t3: every query gets t3 first
    TagProbe other = TagProbe.fit(generation, D, new float[][] {axis(0)}, List.of(Set.of("t3")),
        List.of("t0", "t1", "t2", "t3"), 1.0);
    other.save(dir.resolve(TagRecommender.PROBE_FILE), "test-embedder/1");
    try (TagRecommender r = builder().directory(dir).build()) {
      TagSuggestion s = r.suggestVector(axis(0), Strategy.LINEAR_PROBE, TagSelection.top(1));
      // fitted again from the stock it would be t0 (0.625)
      assertThat(s.tagNames()).containsExactly("t3");
      assertThat(s.tags().get(0).frequency()).isCloseTo(1.0, within(1e-6));
    }
  }

  @Test
  void theRidgePenaltyMustBePositiveAndFinite() {
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> TagProbe.fit(1, D, new float[][] {axis(0)}, List.of(Set.of("t0")), List.of("t0"), bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ridge");
    }
  }
}
