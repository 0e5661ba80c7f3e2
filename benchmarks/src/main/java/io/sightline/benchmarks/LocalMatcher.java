package io.sightline.benchmarks;

import io.sightline.core.instance.InstanceIndex;
import io.sightline.core.instance.InstanceMatch;
import io.sightline.core.instance.NoFeaturesException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Instance matching on local features (core's {@link InstanceIndex}, in memory, default settings)
 * and, as "hybrid", fused with the global baseline: verified instance matches first (score
 * {@code 1 + calibrated score}), then the global cosine ranking. The plain local score is the
 * calibrated probability. A reference or query without enough local features is skipped (local)
 * or left to the global side (hybrid).
 */
public final class LocalMatcher implements Matcher {
  private final InstanceIndex index;
  private final GlobalMatcher global;
  private int skippedRefs;

  /**
   * @param hybrid whether to fuse with the global baseline
   * @param index the instance index to fill
   */
  public LocalMatcher(boolean hybrid, InstanceIndex index) {
    this.index = index;
    this.global = hybrid ? new GlobalMatcher() : null;
  }

  @Override
  public void add(String id, BufferedImage image) {
    if (global != null) {
      global.add(id, image);
    }
    try {
      index.add(id, image);
    } catch (NoFeaturesException e) {
      skippedRefs++;
    }
  }

  @Override
  public List<Hit> query(BufferedImage image, int k) {
    List<InstanceMatch> local;
    try {
      local = index.match(image, k);
    } catch (NoFeaturesException e) {
      local = List.of();
    }
    if (global == null) {
      return local.stream().map(m -> new Hit(m.id(), m.score())).toList();
    }
    Map<String, Hit> fused = new LinkedHashMap<>();
    for (InstanceMatch m : local) {
      if (m.verified()) {
        fused.put(m.id(), new Hit(m.id(), 1 + m.score()));
      }
    }
    for (Hit h : global.query(image, k)) {
      fused.putIfAbsent(h.id(), h);
    }
    List<Hit> out = new ArrayList<>(fused.values());
    return out.subList(0, Math.min(k, out.size()));
  }

  /**
   * An in-memory index with the defaults, or with the settings given as system properties (for
   * tuning on the tune split): {@code instance.side}, {@code instance.features},
   * {@code instance.hamming}, {@code instance.ma}, {@code instance.shortlist}, {@code instance.ransac}.
   *
   * @return the index
   */
  public static InstanceIndex configured() {
    InstanceIndex.Builder b = InstanceIndex.builder();
    if (System.getProperty("instance.side") != null || System.getProperty("instance.features") != null) {
      b.extractor(io.sightline.core.instance.RootSiftExtractor.of(Integer.getInteger("instance.side", 640),
          Integer.getInteger("instance.features", 600)));
    }
    if (System.getProperty("instance.hamming") != null) {
      b.hammingThreshold(Integer.getInteger("instance.hamming"));
    }
    if (System.getProperty("instance.ma") != null) {
      b.multipleAssignment(Integer.getInteger("instance.ma"));
    }
    if (System.getProperty("instance.shortlist") != null) {
      b.shortlist(Integer.getInteger("instance.shortlist"));
    }
    if (System.getProperty("instance.ransac") != null) {
      b.ransacThreshold(Double.parseDouble(System.getProperty("instance.ransac")));
    }
    return b.build();
  }

  /** @return references that had too few local features to be stored */
  public int skippedReferences() {
    return skippedRefs;
  }

  @Override
  public void close() {
    index.close();
    if (global != null) {
      global.close();
    }
  }
}
