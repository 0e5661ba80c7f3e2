package io.sightline.crossmodal;

/**
 * How a {@link CrossModalModel} ranks images for a text (and texts for an image in
 * {@link RetrievalEvaluation}).
 *
 * <p>The model has two scores for a text and an image: the <em>matching head</em> (the text and the
 * image go through the transformer together; one pass per pair) and the <em>embedding cosine</em>
 * (the text and the image each go through it alone; an image's embedding is computed once, when
 * the collection is built, so a query costs one text pass and dot products). Which to use:
 *
 * <ul>
 *   <li>{@link Ranking#FUSED} (the {@link #defaults()}): per query, both scores standardised over
 *       the candidates and added, {@code z(matching logit) + cosineWeight * z(cosine)}; the two
 *       scores err differently, and on validation pairs the sum was ahead of each alone.
 *   <li>{@link Ranking#EMBEDDING}: the cosine alone; the fastest (no matching pass at all).
 *   <li>{@link Ranking#MATCHING}: the matching head alone, the ranking of the single-stream design;
 *       on held-out pairs the weakest of the three.
 * </ul>
 *
 * <p>With {@code firstStage} k &gt; 0, {@code MATCHING} and {@code FUSED} score only the k images
 * nearest to the text by the embeddings (an HNSW search in large collections) and put those first;
 * 0 scores every image with the matching head.
 *
 * @param ranking which score orders the results
 * @param firstStage for {@code MATCHING} and {@code FUSED}: the candidates the matching head scores,
 *     0 for all; must be 0 for {@code EMBEDDING}
 * @param cosineWeight for {@code FUSED}: the cosine's weight against the matching logit's (finite,
 *     above 0); must be 0 for the other two
 */
public record RetrievalSettings(Ranking ranking, int firstStage, double cosineWeight) {

  /** Which score orders the results. */
  public enum Ranking {
    /** The matching head's logit for each candidate pair. */
    MATCHING,
    /** The cosine of the text's and the image's contrastive embeddings. */
    EMBEDDING,
    /** The sum of the standardised matching logit and the weighted standardised cosine. */
    FUSED
  }

  /**
   * @throws IllegalArgumentException when a value does not fit the ranking (see the parameters)
   */
  public RetrievalSettings {
    if (ranking == null) {
      throw new IllegalArgumentException("ranking must not be null");
    }
    if (firstStage < 0) {
      throw new IllegalArgumentException("firstStage must be 0 or more: " + firstStage);
    }
    if (ranking == Ranking.EMBEDDING && firstStage != 0) {
      throw new IllegalArgumentException("the EMBEDDING ranking has no first stage (it ranks by the first stage's"
          + " cosine itself); firstStage must be 0, got " + firstStage);
    }
    if (ranking == Ranking.FUSED) {
      if (!(cosineWeight > 0) || Double.isInfinite(cosineWeight)) {
        throw new IllegalArgumentException("cosineWeight of a FUSED ranking must be finite and above 0: "
            + cosineWeight);
      }
    } else if (cosineWeight != 0) {
      throw new IllegalArgumentException("cosineWeight applies to the FUSED ranking only; " + ranking
          + " needs 0, got " + cosineWeight);
    }
  }

  /**
   * @param firstStage candidates the matching head scores (0: every image)
   * @return ranking by the matching head
   */
  public static RetrievalSettings matching(int firstStage) {
    return new RetrievalSettings(Ranking.MATCHING, firstStage, 0);
  }

  /** @return ranking by the embedding cosine alone */
  public static RetrievalSettings embedding() {
    return new RetrievalSettings(Ranking.EMBEDDING, 0, 0);
  }

  /**
   * @param firstStage candidates the matching head scores (0: every image)
   * @param cosineWeight the cosine's weight against the matching logit's
   * @return ranking by both scores
   */
  public static RetrievalSettings fused(int firstStage, double cosineWeight) {
    return new RetrievalSettings(Ranking.FUSED, firstStage, cosineWeight);
  }

  /** The first stage of {@link #defaults()}: the 50 images nearest by the embeddings. */
  public static final int DEFAULT_FIRST_STAGE = 50;

  /** The cosine weight of {@link #defaults()}. */
  public static final double DEFAULT_COSINE_WEIGHT = 2.0;

  /**
   * The ranking {@link CrossModalModel#retrieve(String, ImageCollection, int)} and the CLI use when
   * told nothing: the 50 images nearest by the embeddings, ranked by
   * {@code z(matching logit) + 2 z(cosine)} ({@link Ranking#FUSED}). Chosen on a validation split
   * against the cosine alone, the matching head alone and other weights and first stages
   * (BENCHMARKS.md, crossmodal); a query costs one text pass, the first stage's search and 50
   * matching passes, whatever the collection's size.
   *
   * @return the default settings
   */
  public static RetrievalSettings defaults() {
    return fused(DEFAULT_FIRST_STAGE, DEFAULT_COSINE_WEIGHT);
  }
}
