package io.sightline.benchmarks;

import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.Metric;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The global-descriptor baseline: one embedding per image ({@link GlobalDescriptorEmbedder} by
 * default) in an exact cosine index; the score is the cosine similarity.
 */
public final class GlobalMatcher implements Matcher {
  private final ImageEmbedder embedder;
  private final ExactVectorIndex<String> index;

  /** The training-free default embedder. */
  public GlobalMatcher() {
    this(new GlobalDescriptorEmbedder());
  }

  /** @param embedder any embedder */
  public GlobalMatcher(ImageEmbedder embedder) {
    this.embedder = embedder;
    this.index = new ExactVectorIndex<>(embedder.dimension(), Metric.COSINE, embedder.id());
  }

  @Override
  public void add(String id, BufferedImage image) {
    index.add(id, embedder.embed(image));
  }

  @Override
  public List<Hit> query(BufferedImage image, int k) {
    return index.search(embedder.embed(image), k).stream().map(r -> new Hit(r.id(), r.similarity())).toList();
  }

  @Override
  public void close() {
    embedder.close();
  }
}
