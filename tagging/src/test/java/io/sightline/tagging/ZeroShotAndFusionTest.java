package io.sightline.tagging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.text.TextEmbedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Zero-shot tags and the fused strategy, in a small space whose geometry is known: each word's
 * text vector is a fixed unit direction, and stock images lie near the direction of their tag.
 */
class ZeroShotAndFusionTest {
  static final int D = 6;

  /** Words at fixed directions (axis i), everything else at the last axis; records its calls. */
  static class WordTable implements TextEmbedder {
    final Map<String, Integer> axes;
    final List<String> seen = new ArrayList<>();

    WordTable(Map<String, Integer> axes) {
      this.axes = axes;
    }

    @Override
    public float[] embed(String text) {
      seen.add(text);
      float[] v = new float[D];
      String word = text.replace("a photo of ", "");
      v[axes.getOrDefault(word, D - 1)] = 1;
      return v;
    }

    @Override
    public int dimension() {
      return D;
    }

    @Override
    public String id() {
      return "word-table/1";
    }
  }

  static float[] near(int axis, Random rnd, double noise) {
    float[] v = new float[D];
    for (int i = 0; i < D; i++) {
      v[i] = (float) (rnd.nextGaussian() * noise);
    }
    v[axis] += 1;
    return v;
  }

  /** 30 "sky" images (the popular tag) near axis 0, 6 "boat" near axis 1, 6 "tree" near axis 2. */
  static List<StockImage> stock() {
    Random rnd = new Random(3);
    List<StockImage> s = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      s.add(new StockImage("sky" + i, near(0, rnd, 0.05), Set.of("sky"), null));
    }
    for (int i = 0; i < 6; i++) {
      s.add(new StockImage("boat" + i, near(1, rnd, 0.05), Set.of("boat", "sky"), null));
      s.add(new StockImage("tree" + i, near(2, rnd, 0.05), Set.of("tree"), null));
    }
    return s;
  }

  static TagRecommender.Builder builder() {
    return TagRecommender.builder().vectors("test-embedder/1", D)
        .clustering(ClusteringOptions.defaults().withClusters(3).withSeed(1).withInit(CentreInit.KMEANS_PLUS_PLUS));
  }

  @Test
  void zeroShotRanksTagsByTheirWordsSimilarityToTheImage() {
    WordTable words = new WordTable(Map.of("sky", 0, "boat", 1, "tree", 2));
    try (TagRecommender r = builder().textEmbedder(words, "a photo of %s").build()) {
      r.addStock(stock());
      r.train();
      // an image between "tree" and "boat", closer to "tree"; the stock has no image like it
      float[] q = new float[D];
      q[2] = 0.8f;
      q[1] = 0.6f;
      TagSuggestion s = r.suggestVector(q, Strategy.ZERO_SHOT, TagSelection.top(2));
      assertThat(s.tagNames()).containsExactly("tree", "boat");
      assertThat(s.tags().get(0).frequency()).isCloseTo(0.8, org.assertj.core.api.Assertions.within(1e-6));
      // the prompt template is applied, each tag embedded once however often it is asked
      r.suggestVector(q, Strategy.ZERO_SHOT, TagSelection.top(2));
      assertThat(words.seen).containsExactlyInAnyOrder("a photo of sky", "a photo of boat", "a photo of tree");
    }
  }

  @Test
  void fusionRanksByLiftSoThePopularTagDoesNotCrowdOutTheSpecificOne() {
    WordTable words = new WordTable(Map.of("sky", 0, "boat", 1, "tree", 2));
    float[] boatPhoto = near(1, new Random(9), 0.02);
    try (TagRecommender raw = builder().textEmbedder(words, "%s")
        .fusion(new FusionWeights(1, 0, 0, 0.05, 0)).build()) {
      raw.addStock(stock());
      raw.train();
      // neighbour votes alone: every boat image also carries "sky", and sky images are near too
      List<String> byVotes = raw.suggestVector(boatPhoto, Strategy.FUSED, TagSelection.top(2)).tagNames();
      assertThat(byVotes).containsExactlyInAnyOrder("boat", "sky");
    }
    try (TagRecommender lifted = builder().textEmbedder(words, "%s")
        .fusion(new FusionWeights(1, 0, 0, 0.05, 1)).build()) {
      lifted.addStock(stock());
      lifted.train();
      TagSuggestion s = lifted.suggestVector(boatPhoto, Strategy.FUSED, TagSelection.top(1));
      assertThat(s.tagNames()).containsExactly("boat");
      assertThat(s.neighbours()).isNotEmpty();
    }
  }

  @Test
  void fusionUsesTheZeroShotEvidenceWhenTheNeighboursDisagree() {
    WordTable words = new WordTable(Map.of("sky", 0, "boat", 1, "tree", 2));
    // a tree-like image whose nearest stock images are sky images: only the words say "tree"
    float[] q = new float[D];
    q[0] = 0.75f;
    q[2] = 0.66f;
    try (TagRecommender noText = builder().fusion(new FusionWeights(1, 0, 1, 0.02, 0)).build();
         TagRecommender withText = builder().textEmbedder(words, "%s").fusion(new FusionWeights(0.2, 0, 1, 0.02, 0))
             .build()) {
      for (TagRecommender r : List.of(noText, withText)) {
        r.addStock(stock());
        r.train();
      }
      assertThat(noText.suggestVector(q, Strategy.FUSED, TagSelection.top(1)).tagNames()).containsExactly("sky");
      assertThat(withText.suggestVector(q, Strategy.FUSED, TagSelection.top(1)).tagNames()).containsExactly("sky");
      assertThat(withText.suggestVector(q, Strategy.FUSED, TagSelection.top(2)).tagNames()).contains("tree");
      assertThat(noText.suggestVector(q, Strategy.FUSED, TagSelection.top(3)).tagNames()).doesNotContain("tree");
    }
  }

  @Test
  void typedTagsRaiseTheTagsTheyAppearWithInPosts() {
    // stock: posts about the sea carry "boat" and "harbour" together; images embedded as given
    Random rnd = new Random(5);
    List<StockImage> s = new ArrayList<>(stock());
    for (int i = 0; i < 4; i++) {
      s.add(new StockImage("harbour" + i, near(3, rnd, 0.05), Set.of("harbour"), "trip" + i));
      s.add(new StockImage("harbour-boat" + i, near(1, rnd, 0.05), Set.of("boat"), "trip" + i));
    }
    float[] treeLike = near(2, new Random(8), 0.02);
    io.sightline.core.embed.ImageEmbedder fixed = new io.sightline.core.embed.ImageEmbedder() {
      @Override
      public float[] embed(java.awt.image.BufferedImage image) {
        return treeLike.clone();
      }

      @Override
      public int dimension() {
        return D;
      }

      @Override
      public String id() {
        return "test-embedder/1";
      }
    };
    try (TagRecommender r = TagRecommender.builder().embedder(fixed)
        .clustering(ClusteringOptions.defaults().withClusters(3).withSeed(1).withInit(CentreInit.KMEANS_PLUS_PLUS))
        .strategy(Strategy.NEAREST_NEIGHBOURS).neighbours(6).selection(TagSelection.top(3)).build()) {
      r.addStock(s);
      r.train();
      java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB);
      assertThat(r.suggest(img).tagNames()).first().isEqualTo("tree");
      assertThat(r.suggest(img).tagNames()).doesNotContain("harbour");
      // the user typed "boat": "harbour" (4 of boat's 10 posts) and "sky" (6 of 10) share posts
      // with it, "boat" itself is not repeated
      TagSuggestion typed = r.suggest(img, List.of("Boat"));
      assertThat(typed.tagNames()).contains("harbour").doesNotContain("boat");
      // nothing typed: the plain suggestion
      assertThat(r.suggest(img, List.of()).tagNames()).isEqualTo(r.suggest(img).tagNames());
      // the stock changes: the co-occurrence follows
      r.removeStock(List.of("harbour0", "harbour1", "harbour2", "harbour3"));
      assertThat(r.suggest(img, List.of("boat")).tagNames()).doesNotContain("harbour");
    }
  }

  @Test
  void tagVectorsAreNormalisedSoALongTextVectorDoesNotWin() {
    // "boat" comes back five times longer than "tree": compared raw, boat would win (3.0 vs 0.8)
    WordTable words = new WordTable(Map.of("sky", 0, "boat", 1, "tree", 2)) {
      @Override
      public float[] embed(String text) {
        float[] v = super.embed(text);
        if (text.equals("boat")) {
          for (int i = 0; i < v.length; i++) {
            v[i] *= 5;
          }
        }
        return v;
      }
    };
    try (TagRecommender r = builder().textEmbedder(words, "%s").build()) {
      r.addStock(stock());
      r.train();
      float[] q = new float[D];
      q[1] = 0.6f;
      q[2] = 0.8f;
      TagSuggestion s = r.suggestVector(q, Strategy.ZERO_SHOT, TagSelection.top(2));
      assertThat(s.tagNames()).containsExactly("tree", "boat");
      assertThat(s.tags().get(1).frequency()).isCloseTo(0.6, org.assertj.core.api.Assertions.within(1e-6));
    }
  }

  @Test
  void softmaxSharesFollowTheTemperature() {
    Map<String, Double> shares = ZeroShotTags.softmax(Map.of("a", 0.5, "b", 0.3, "c", 0.1), 0.1);
    assertThat(shares.values().stream().mapToDouble(Double::doubleValue).sum())
        .isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-12));
    // a : b = exp((0.5 - 0.3) / 0.1) = e^2
    assertThat(shares.get("a") / shares.get("b")).isCloseTo(Math.exp(2), org.assertj.core.api.Assertions.within(1e-9));
    assertThat(shares.get("b") / shares.get("c")).isCloseTo(Math.exp(2), org.assertj.core.api.Assertions.within(1e-9));
    // large cosines over a small temperature stay finite (the maximum is subtracted first)
    Map<String, Double> sharp = ZeroShotTags.softmax(Map.of("a", 0.9, "b", 0.8), 0.001);
    assertThat(sharp.get("a")).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(sharp.get("b")).isFinite();
  }

  @Test
  void cooccurrenceIsTheShareOfATypedTagsPosts() {
    List<TagModel.Row> rows = List.of(
        new TagModel.Row("1", "post:p1", Set.of("boat", "harbour"), 0),
        new TagModel.Row("2", "post:p2", Set.of("boat", "sky"), 0),
        new TagModel.Row("3", "post:p3", Set.of("boat"), 0),
        new TagModel.Row("4", "post:p4", Set.of("boat", "sky"), 0),
        new TagModel.Row("5", "post:p5", Set.of("harbour", "crane"), 0));
    TagCooccurrence co = new TagCooccurrence(rows);
    Map<String, Double> given = co.given(List.of("boat"));
    assertThat(given).containsOnlyKeys("harbour", "sky");
    assertThat(given.get("harbour")).isEqualTo(0.25);
    assertThat(given.get("sky")).isEqualTo(0.5);
    // two typed tags that go together: neither comes back, the largest share per tag is kept
    Map<String, Double> both = co.given(List.of("boat", "harbour"));
    assertThat(both).containsOnlyKeys("sky", "crane");
    assertThat(both.get("crane")).isEqualTo(0.5);
    assertThat(co.given(List.of("unknown"))).isEmpty();
  }

  @Test
  void zeroShotNeedsATextEmbedderInTheImageSpace() {
    try (TagRecommender r = builder().build()) {
      r.addStock(stock());
      r.train();
      assertThatThrownBy(() -> r.suggestVector(near(0, new Random(1), 0), Strategy.ZERO_SHOT, TagSelection.top(3)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("textEmbedder");
    }
    TextEmbedder wide = new WordTable(Map.of()) {
      @Override
      public int dimension() {
        return D + 1;
      }
    };
    assertThatThrownBy(() -> builder().textEmbedder(wide, "%s").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("space");
    assertThatThrownBy(() -> builder().textEmbedder(new WordTable(Map.of()), "no placeholder").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("%s");
    assertThatThrownBy(() -> new FusionWeights(0, 0, 0, 0.1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FusionWeights(1, 0, 0, 0.1, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FusionWeights(1, 0, 0, 0.1, 0, -0.5)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new FusionWeights(0, 0, 0, 0.1, 0, 1).probe()).isEqualTo(1.0); // the probe alone is a fusion
  }

  @Test
  void oneOffTagsStayOutOfTheZeroShotVocabulary() {
    WordTable words = new WordTable(Map.of("sky", 0, "boat", 1, "tree", 2, "kite", 3));
    List<StockImage> s = new ArrayList<>(stock());
    s.add(new StockImage("kite0", near(3, new Random(2), 0.05), Set.of("kite"), null));
    try (TagRecommender r = builder().textEmbedder(words, "%s").build()) {
      r.addStock(s);
      r.train();
      float[] q = new float[D];
      q[3] = 1;
      assertThat(r.suggestVector(q, Strategy.ZERO_SHOT, TagSelection.top(3)).tagNames()).doesNotContain("kite");
    }
    try (TagRecommender r = builder().textEmbedder(words, "%s").minTagPosts(1).build()) {
      r.addStock(s);
      r.train();
      float[] q = new float[D];
      q[3] = 1;
      assertThat(r.suggestVector(q, Strategy.ZERO_SHOT, TagSelection.top(1)).tagNames()).containsExactly("kite");
    }
  }
}
