package io.sightline.tagging;

import io.sightline.core.index.VectorIndex;
import io.sightline.core.index.SearchResult;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recommending for a {@link TagRecommender}: the strategies (nearest cluster, soft clusters,
 * nearest neighbours, most popular, zero-shot, fused, linear probe), the typed-tag co-occurrence boost, and the
 * ranking and selection of tag scores. Runs lock-free against the current model snapshot; only
 * the lazily built neighbour index and co-occurrence take the shared lock, once.
 */
final class TagRecommenderStrategies {
  private final TagRecommenderState state;
  private final TagRecommenderIndex index;
  private final TagSelection selection;
  private final Strategy strategy;
  private final int softClusters;
  private final int neighbours;
  private final ZeroShotTags zeroShot;
  private final FusionWeights fusion;
  private final int minTagPosts;

  TagRecommenderStrategies(TagRecommenderState state, TagRecommenderIndex index) {
    this.state = state;
    this.index = index;
    this.selection = state.selection;
    this.strategy = state.strategy;
    this.softClusters = state.softClusters;
    this.neighbours = state.neighbours;
    this.zeroShot = state.zeroShot;
    this.fusion = state.fusion;
    this.minTagPosts = state.minTagPosts;
  }

  /** {@link TagRecommender#suggestVector(float[], Strategy, TagSelection)}. */
  TagSuggestion suggestVector(float[] vector, Strategy how, TagSelection which) {
    TagModel m = state.requireModel();
    float[] q = m.prepare(vector);
    return switch (how) {
      case NEAREST_CLUSTER -> nearestCluster(m, q, which);
      case SOFT_CLUSTERS -> softClusters(m, q, which);
      case NEAREST_NEIGHBOURS -> neighbours(m, q, which);
      case MOST_POPULAR -> new TagSuggestion(how, -1, List.of(), List.of(),
          select(scores(m.overall(), m.overall()), which), which);
      case ZERO_SHOT -> zeroShot(m, q, which);
      case FUSED -> fused(m, q, which);
      case LINEAR_PROBE -> probe(m, q, which);
    };
  }

  /** {@link TagRecommender#suggest(BufferedImage, Collection)}. */
  TagSuggestion suggest(BufferedImage image, Collection<String> typed) {
    TagSuggestion base = suggestVector(state.requireEmbedder().embed(image), strategy,
        TagSelection.top(Integer.MAX_VALUE));
    Set<String> given = new HashSet<>();
    for (String t : typed) {
      given.add(t.toLowerCase(java.util.Locale.ROOT).trim());
    }
    Map<String, Double> co = cooccurrence().given(given);
    Map<String, TagScore> merged = new HashMap<>();
    for (TagScore t : base.tags()) {
      if (!given.contains(t.tag())) {
        merged.put(t.tag(), new TagScore(t.tag(), Math.min(1.0, t.frequency() + co.getOrDefault(t.tag(), 0.0)),
            t.count()));
      }
    }
    Map<String, Integer> counts = state.requireModel().overall().counts();
    co.forEach((t, p) -> merged.putIfAbsent(t, new TagScore(t, Math.min(1.0, p), counts.getOrDefault(t, 0))));
    List<TagScore> ranked = new ArrayList<>(merged.values());
    ranked.sort(order(state.requireModel().overall()));
    return new TagSuggestion(base.strategy(), base.cluster(), base.clusters(), base.neighbours(),
        select(ranked, selection), selection);
  }

  /** The stock's tag co-occurrence, built once under the lock and dropped when the stock changes. */
  private TagCooccurrence cooccurrence() {
    TagCooccurrence c = state.cooccurrence;
    if (c == null) {
      synchronized (state.lock) {
        if (state.cooccurrence == null) {
          state.cooccurrence = new TagCooccurrence(state.stock.rows());
        }
        c = state.cooccurrence;
      }
    }
    return c;
  }

  /** Tags of the stock with at least {@code minTagPosts} posts: the zero-shot vocabulary. */
  private List<String> vocabulary(TagModel m) {
    return vocabulary(m, minTagPosts);
  }

  /**
   * @return the tags of the model's stock with at least {@code minTagPosts} posts (the zero-shot
   *     and linear-probe vocabulary), in the counts' order, in a new list
   */
  static List<String> vocabulary(TagModel m, int minTagPosts) {
    List<String> v = new ArrayList<>();
    m.overall().counts().forEach((t, c) -> {
      if (c >= minTagPosts) {
        v.add(t);
      }
    });
    return v;
  }

  private ZeroShotTags requireZeroShot() {
    if (zeroShot == null) {
      throw new IllegalStateException("the ZERO_SHOT strategy needs builder().textEmbedder(...) in the image"
          + " embedder's space (e.g. SightlineModels.textEmbedder() with SightlineModels.clipartImageEmbedder())");
    }
    return zeroShot;
  }

  private TagSuggestion zeroShot(TagModel m, float[] q, TagSelection which) {
    Map<String, Double> cos = requireZeroShot().cosines(q, vocabulary(m));
    Map<String, Integer> counts = m.overall().counts();
    List<TagScore> out = new ArrayList<>();
    cos.forEach((t, c) -> out.add(new TagScore(t, Math.max(0, c), counts.getOrDefault(t, 0))));
    out.sort(order(m.overall()));
    ClusterMatch near = m.nearest(q, 1).get(0);
    return new TagSuggestion(Strategy.ZERO_SHOT, near.cluster(), List.of(near), List.of(), select(out, which), which);
  }

  private TagSuggestion fused(TagModel m, float[] q, TagSelection which) {
    TagSelection all = TagSelection.top(Integer.MAX_VALUE);
    TagSuggestion nn = neighbours(m, q, all);
    TagSuggestion soft = softClusters(m, q, all);
    Map<String, Double> score = new HashMap<>();
    for (TagScore t : nn.tags()) {
      score.merge(t.tag(), fusion.neighbours() * t.frequency(), Double::sum);
    }
    for (TagScore t : soft.tags()) {
      score.merge(t.tag(), fusion.clusters() * t.frequency(), Double::sum);
    }
    if (zeroShot != null && fusion.zeroShot() > 0) {
      ZeroShotTags.softmax(zeroShot.cosines(q, vocabulary(m)), fusion.temperature())
          .forEach((t, s) -> score.merge(t, fusion.zeroShot() * s, Double::sum));
    }
    if (fusion.probe() > 0) {
      // the probe's raw score (share + projection) may be negative: it can push a tag down
      TagProbe.ensure(state).scores(q).forEach((t, s) -> score.merge(t, fusion.probe() * s, Double::sum));
    }
    ClusterTags overall = m.overall();
    double posts = Math.max(1, overall.posts());
    Map<String, Integer> counts = overall.counts();
    Map<String, Double> fused = new HashMap<>();
    score.forEach((t, s) -> fused.put(t, s / Math.pow(Math.max(1, counts.getOrDefault(t, 0)) / posts,
        fusion.liftExponent())));
    List<TagScore> out = rankedClipped(fused, counts, Comparator.naturalOrder()); // ties by name
    return new TagSuggestion(Strategy.FUSED, soft.cluster(), soft.clusters(), nn.neighbours(), select(out, which),
        which);
  }

  private TagSuggestion probe(TagModel m, float[] q, TagSelection which) {
    Map<String, Integer> counts = m.overall().counts();
    // ties by popularity, then name
    List<TagScore> out = rankedClipped(TagProbe.ensure(state).scores(q), counts,
        Comparator.comparingInt((String t) -> counts.getOrDefault(t, 0)).reversed()
            .thenComparing(Comparator.naturalOrder()));
    ClusterMatch near = m.nearest(q, 1).get(0);
    return new TagSuggestion(Strategy.LINEAR_PROBE, near.cluster(), List.of(near), List.of(), select(out, which),
        which);
  }

  /**
   * @return the tags ranked by their unclipped score, then by {@code ties}, each shown with its
   *     score clipped to [0,1] and its stock-wide post count
   */
  private static List<TagScore> rankedClipped(Map<String, Double> raw, Map<String, Integer> counts,
      Comparator<String> ties) {
    List<String> ranked = new ArrayList<>(raw.keySet());
    ranked.sort(Comparator.comparingDouble((String t) -> raw.get(t)).reversed().thenComparing(ties));
    List<TagScore> out = new ArrayList<>(ranked.size());
    for (String t : ranked) {
      out.add(new TagScore(t, Math.max(0, Math.min(1, raw.get(t))), counts.getOrDefault(t, 0)));
    }
    return out;
  }

  private TagSuggestion nearestCluster(TagModel m, float[] q, TagSelection which) {
    ClusterMatch best = m.nearest(q, 1).get(0);
    ClusterMatch match = new ClusterMatch(best.cluster(), best.distance(), best.similarity(), 1.0, best.posts());
    return new TagSuggestion(Strategy.NEAREST_CLUSTER, match.cluster(), List.of(match), List.of(),
        select(scores(m.cluster(match.cluster()), m.overall()), which), which);
  }

  private TagSuggestion softClusters(TagModel m, float[] q, TagSelection which) {
    List<ClusterMatch> near = m.nearest(q, softClusters);
    double total = 0;
    for (ClusterMatch c : near) {
      total += Math.max(0, c.similarity());
    }
    List<ClusterMatch> weighted = new ArrayList<>();
    Map<String, double[]> acc = new HashMap<>();
    for (ClusterMatch c : near) {
      double w = total > 0 ? Math.max(0, c.similarity()) / total : 1.0 / near.size();
      weighted.add(new ClusterMatch(c.cluster(), c.distance(), c.similarity(), w, c.posts()));
      ClusterTags ct = m.cluster(c.cluster());
      for (Map.Entry<String, Integer> e : ct.counts().entrySet()) {
        double[] a = acc.computeIfAbsent(e.getKey(), x -> new double[2]);
        a[0] += w * ct.frequency(e.getKey());
        a[1] += e.getValue();
      }
    }
    return new TagSuggestion(Strategy.SOFT_CLUSTERS, near.get(0).cluster(), weighted, List.of(),
        select(toScores(acc, m.overall()), which), which);
  }

  private TagSuggestion neighbours(TagModel m, float[] q, TagSelection which) {
    VectorIndex<String> idx = index.ensureIndex();
    List<SearchResult<String>> hits = idx.search(q, neighbours);
    Map<String, SearchResult<String>> bestPerPost = new LinkedHashMap<>();
    for (SearchResult<String> h : hits) {
      String post = h.attributes().get("post");
      String key = post == null ? "image:" + h.id() : "post:" + post;
      bestPerPost.merge(key, h, (a, b) -> a.similarity() >= b.similarity() ? a : b);
    }
    double total = 0;
    for (SearchResult<String> h : bestPerPost.values()) {
      total += Math.max(0, h.similarity());
    }
    Map<String, double[]> acc = new HashMap<>();
    List<NeighbourMatch> evidence = new ArrayList<>();
    for (SearchResult<String> h : hits) {
      evidence.add(new NeighbourMatch(h.id(), h.attributes().get("post"), h.similarity(),
          List.copyOf(TagStock.splitTags(h.attributes().get("tags")))));
    }
    for (SearchResult<String> h : bestPerPost.values()) {
      double w = total > 0 ? Math.max(0, h.similarity()) / total : 1.0 / bestPerPost.size();
      for (String t : TagStock.splitTags(h.attributes().get("tags"))) {
        double[] a = acc.computeIfAbsent(t, x -> new double[2]);
        a[0] += w;
        a[1] += 1;
      }
    }
    ClusterMatch near = m.nearest(q, 1).get(0);
    return new TagSuggestion(Strategy.NEAREST_NEIGHBOURS, near.cluster(), List.of(near), evidence,
        select(toScores(acc, m.overall()), which), which);
  }

  /** Ranks by frequency; ties go to the tag more popular in the whole stock, then by name. */
  private static List<TagScore> scores(ClusterTags ct, ClusterTags overall) {
    List<TagScore> out = new ArrayList<>();
    for (TagCount t : ct.ranked()) {
      out.add(new TagScore(t.tag(), t.frequency(), t.count()));
    }
    out.sort(order(overall));
    return out;
  }

  private static List<TagScore> toScores(Map<String, double[]> acc, ClusterTags overall) {
    List<TagScore> out = new ArrayList<>();
    acc.forEach((t, a) -> out.add(new TagScore(t, Math.min(1.0, a[0]), (int) Math.round(a[1]))));
    out.sort(order(overall));
    return out;
  }

  private static Comparator<TagScore> order(ClusterTags overall) {
    Map<String, Integer> popularity = overall.counts();
    return Comparator.comparingDouble(TagScore::frequency).reversed()
        .thenComparing(Comparator.comparingInt(TagScore::count).reversed())
        .thenComparing(Comparator.comparingInt((TagScore t) -> popularity.getOrDefault(t.tag(), 0)).reversed())
        .thenComparing(TagScore::tag);
  }

  private static List<TagScore> select(List<TagScore> ranked, TagSelection which) {
    List<TagScore> out = new ArrayList<>();
    for (TagScore s : ranked) {
      if (out.size() >= which.top()) {
        break;
      }
      if (s.frequency() + 1e-12 >= which.minFrequency() && s.frequency() > 0) {
        out.add(s);
      }
    }
    return out;
  }
}
