package io.sightline.models.train;

import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.metrics.Metrics;
import io.sightline.core.onnx.OnnxImageEmbedder;
import io.sightline.core.onnx.OnnxTextEmbedder;
import io.sightline.models.SightlineModels;
import io.sightline.tagging.CentreInit;
import io.sightline.tagging.ClusteringOptions;
import io.sightline.tagging.FusionWeights;
import io.sightline.tagging.PathTags;
import io.sightline.tagging.StockImage;
import io.sightline.tagging.Strategy;
import io.sightline.tagging.TagRecommender;
import io.sightline.tagging.TagSelection;
import io.sightline.tagging.TagSuggestion;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Tag precision@3 on openclipart drawings of families the shipped encoder never saw: the stock is
 * the encoder's training families (tags: category folders + file-name words, as
 * {@code PathTags}), the queries its validation families (used to choose the fusion weights and
 * the prompt) and its test families (reported, never tuned on). Strategies: most popular
 * (baseline), the seed's nearest cluster, neighbour votes, zero-shot and the fusion; over the
 * training-free descriptor and the shipped encoder; precision against all tags, folder tags only
 * and file-name words only.
 *
 * <pre>
 * java -Xmx6g -Dsightline.debian.root=/tmp/evaldata/x -cp models/target/test-classes:models/target/classes:$(cat /tmp/models.cp) \
 *   io.sightline.models.train.TagEvaluation
 * </pre>
 *
 * Images are the 96-pixel thumbnails of the training cache, on white, for both embedders.
 */
public final class TagEvaluation {
  private TagEvaluation() {}

  record Truth(Set<String> all, Set<String> folders, Set<String> words) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = ClipartEncoderTraining.options(args);
    Path cache = Path.of(o.getOrDefault("cache", "models/target/train-cache"));
    ClipartEncoderTraining.Data d = ClipartEncoderTraining.Data.load(cache, 0);
    Path root = Debian.folder("openclipart-png", "usr/share/openclipart/png");
    List<Integer> stockIds = d.indices(ClipartCorpus.Split.TRAIN);
    List<Integer> tune = d.indices(ClipartCorpus.Split.VALIDATION);
    List<Integer> test = d.indices(ClipartCorpus.Split.TEST);
    int k = (int) Math.round(Math.sqrt(stockIds.size() / 2.0));
    System.out.printf(Locale.ROOT, "stock %d drawings (training families), tune %d, test %d; K=%d; load %s%n",
        stockIds.size(), tune.size(), test.size(), k, ClipartEncoderTraining.loadAverage());

    try (OnnxImageEmbedder model = SightlineModels.clipartImageEmbedder();
         OnnxTextEmbedder text = SightlineModels.textEmbedder()) {
      for (ImageEmbedder e : List.of(new GlobalDescriptorEmbedder(), model)) {
        float[][] v = new float[d.items.size()][];
        List<Integer> all = new ArrayList<>(stockIds);
        all.addAll(tune);
        all.addAll(test);
        for (int s = 0; s < all.size(); s += 64) {
          List<Integer> part = all.subList(s, Math.min(all.size(), s + 64));
          List<float[]> vs = e.embedAll(part.stream().map(d.images::onWhite).toList());
          for (int i = 0; i < part.size(); i++) {
            v[part.get(i)] = vs.get(i);
          }
        }
        boolean semantic = e == model;
        List<StockImage> stock = new ArrayList<>();
        for (int id : stockIds) {
          stock.add(new StockImage("s" + id, v[id], truth(root, d, id).all(), null));
        }
        String name = semantic ? "shipped encoder" : "descriptor";
        // cluster the stock once; every setting below reopens the trained folder
        Path dir = java.nio.file.Files.createTempDirectory("tag-eval-");
        try (TagRecommender rec = builder(e, dir, k).build()) {
          rec.addStock(stock);
          rec.train();
        }
        FusionWeights best = FusionWeights.defaults();
        String bestPrompt = "%s";
        if (semantic) {
          // choose the prompt, then the fusion weights, on the tuning families
          double bestZ = -1;
          for (String prompt : List.of("%s", "a drawing of %s", "a picture of a %s")) {
            double p = precision(dir, e, text, prompt, best, k, Strategy.ZERO_SHOT, d, root, tune, v)[0];
            System.out.printf(Locale.ROOT, "tune: zero-shot prompt \"%s\": P@3 %.3f%n", prompt, p);
            if (p > bestZ) {
              bestZ = p;
              bestPrompt = prompt;
            }
          }
        }
        double bestP = -1;
        for (FusionWeights w : grid(semantic)) {
          double p = precision(dir, e, semantic ? text : null, bestPrompt, w, k, Strategy.FUSED, d, root, tune, v)[0];
          System.out.printf(Locale.ROOT, "tune: %s: P@3 %.3f%n", w, p);
          if (p > bestP) {
            bestP = p;
            best = w;
          }
        }
        System.out.printf(Locale.ROOT, "tuned on %d drawings (%s): prompt \"%s\", %s (P@3 %.3f)%n", tune.size(), name,
            bestPrompt, best, bestP);
        System.out.println("| embedder | strategy | P@3 all tags | P@3 folder tags | P@3 file-name words | hit@3 |");
        System.out.println("|---|---|---|---|---|---|");
        List<Strategy> strategies = semantic
            ? List.of(Strategy.MOST_POPULAR, Strategy.NEAREST_CLUSTER, Strategy.NEAREST_NEIGHBOURS, Strategy.ZERO_SHOT,
                Strategy.FUSED, Strategy.LINEAR_PROBE)
            : List.of(Strategy.MOST_POPULAR, Strategy.NEAREST_CLUSTER, Strategy.NEAREST_NEIGHBOURS, Strategy.FUSED,
                Strategy.LINEAR_PROBE);
        for (Strategy s : strategies) {
          double[] p = precision(dir, e, semantic ? text : null, bestPrompt, best, k, s, d, root, test, v);
          System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.3f |%n", name, s, p[0], p[1], p[2], p[3]);
        }
      }
    }
  }

  /**
   * The fusion weights tried on the tuning families: the weight of the linear probe (0, 0.5, 1, 2)
   * on top of the weights an earlier run of this program chose there without it (descriptor:
   * neighbour votes only; shipped encoder: {@link FusionWeights#defaults()} without the probe).
   * Each setting reopens the recommender (neighbour index, tag texts), so the grid stays small.
   */
  static List<FusionWeights> grid(boolean semantic) {
    FusionWeights base = semantic ? FusionWeights.defaults() : new FusionWeights(1.0, 0, 0, 0.05, 0);
    List<FusionWeights> g = new ArrayList<>();
    for (double probe : new double[] {0, 0.5, 1, 2}) {
      g.add(new FusionWeights(base.neighbours(), base.clusters(), base.zeroShot(), base.temperature(),
          base.liftExponent(), probe));
    }
    return g;
  }

  static TagRecommender.Builder builder(ImageEmbedder e, Path dir, int k) {
    return TagRecommender.builder().vectors(e.id(), e.dimension()).directory(dir)
        .clustering(ClusteringOptions.defaults().withClusters(k).withSeed(1).withMaxIterations(100)
            .withInit(CentreInit.KMEANS_PLUS_PLUS));
  }

  static Truth truth(Path root, ClipartEncoderTraining.Data d, int id) {
    Path f = d.items.get(id).png();
    Set<String> folders = PathTags.folderTags(root, f);
    Set<String> words = PathTags.titleWords(f.getFileName().toString());
    Set<String> all = new LinkedHashSet<>(folders);
    all.addAll(words);
    return new Truth(all, folders, words);
  }

  /** @return P@3 against all tags, folder tags, file-name words, and hit@3 (all tags) */
  static double[] precision(Path dir, ImageEmbedder e, OnnxTextEmbedder text, String prompt,
      FusionWeights w, int k, Strategy s, ClipartEncoderTraining.Data d, Path root, List<Integer> queries,
      float[][] v) {
    TagRecommender.Builder b = builder(e, dir, k).fusion(w);
    if (text != null) {
      b.textEmbedder(text, prompt);
    }
    double[] r = new double[4];
    try (TagRecommender rec = b.build()) {
      for (int id : queries) {
        Truth t = truth(root, d, id);
        TagSuggestion sug = rec.suggestVector(v[id], s, TagSelection.top(3));
        r[0] += Metrics.precisionAtK(sug.tagNames(), t.all(), 3);
        r[1] += Metrics.precisionAtK(sug.tagNames(), t.folders(), 3);
        r[2] += Metrics.precisionAtK(sug.tagNames(), t.words(), 3);
        r[3] += Metrics.hitAtK(sug.tagNames(), t.all(), 3);
      }
    }
    for (int i = 0; i < 4; i++) {
      r[i] /= queries.size();
    }
    return r;
  }
}
