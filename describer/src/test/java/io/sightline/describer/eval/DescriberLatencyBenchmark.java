package io.sightline.describer.eval;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.index.Vectors;
import io.sightline.core.metrics.Metrics;
import io.sightline.describer.DictionaryEntityExtractor;
import io.sightline.describer.EntityNames;
import io.sightline.describer.FeatureSchema;
import io.sightline.describer.GbdtEntityScorer;
import io.sightline.describer.ImageDescriber;
import io.sightline.describer.LstmEntityScorer;
import io.sightline.describer.Reference;
import io.sightline.describer.ReferenceStore;
import io.sightline.describer.ScorerTraining;
import io.sightline.describer.ScoringMode;
import io.sightline.describer.TrainingExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Describe latency and ingest throughput at scale, on synthetic data: references are vectors of
 * the default embedder's dimension (304) clustered around one centre per object (4 references
 * per object), with short generated pages naming the object, two distractor objects and generic
 * words; entities come from a dictionary extractor over all names. Queries are noisy copies of
 * object centres, so every query goes through the whole pipeline (HNSW search, H2 reads of pages,
 * entities and document frequencies, features, scoring).
 *
 * <p>Baseline measured in the same run: the bare HNSW search of the same queries (top-10).
 *
 * <p>{@code --reuse DIR} measures queries on a store this program built before with the same
 * {@code --sizes} (single size) and seed, skipping ingest.
 *
 * <pre>
 * java -Xmx6g -cp describer/target/test-classes:describer/target/classes:$(cat cp.txt) \
 *   io.sightline.describer.eval.DescriberLatencyBenchmark --sizes 10000,100000 --queries 500
 * </pre>
 */
public final class DescriberLatencyBenchmark {
  private DescriberLatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int queries = Integer.parseInt(a.getOrDefault("queries", "500"));
    long seed = Long.parseLong(a.getOrDefault("seed", "7"));
    Path reuse = a.containsKey("reuse") ? Path.of(a.get("reuse")) : null;
    for (String s : a.getOrDefault("sizes", "10000,100000").split(",")) {
      run(Integer.parseInt(s.strip()), queries, seed, reuse);
    }
  }

  private static float[] noisy(float[] centre, double noise, Random rnd) {
    float[] v = new float[centre.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (centre[i] + noise * rnd.nextGaussian() / Math.sqrt(v.length));
    }
    return Vectors.normalized(v);
  }

  private static void run(int n, int queries, long seed, Path reuse) throws Exception {
    Random rnd = new Random(seed);
    int dim = GlobalDescriptorEmbedder.DIMENSION;
    int objects = Math.max(2, n / 4);
    String[] names = new String[objects];
    float[][] centres = new float[objects][];
    for (int o = 0; o < objects; o++) {
      names[o] = "Object " + Integer.toString(o, 36).toUpperCase(Locale.ROOT) + " Tower";
      float[] c = new float[dim];
      for (int i = 0; i < dim; i++) {
        c[i] = (float) rnd.nextGaussian();
      }
      centres[o] = Vectors.normalized(c);
    }
    List<String> dict = new ArrayList<>(Arrays.asList(names));
    dict.addAll(List.of("clipart", "picture", "gallery", "vector image"));
    DictionaryEntityExtractor extractor = DictionaryEntityExtractor.of(dict);
    List<Reference> refs = new ArrayList<>(n);
    List<float[]> vectors = new ArrayList<>(n);
    List<String> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int o = i % objects;
      String d1 = names[rnd.nextInt(objects)];
      String d2 = names[rnd.nextInt(objects)];
      long displays = 10 + rnd.nextInt(5000);
      refs.add(new Reference("r" + i, (i % 3 == 0 ? names[o] : d1) + " | clipart gallery",
          "A picture of " + names[o] + ", next to " + d2 + ". Generated for the benchmark.",
          Map.of("tags", "clipart, vector image"), displays, displays / 3, displays / 20));
      vectors.add(noisy(centres[o], 0.25, rnd));
      keys.add("k" + i);
    }
    Path dir = reuse != null ? reuse : Files.createTempDirectory("describer-bench");
    if (reuse != null) {
      System.out.printf(Locale.ROOT, "n=%d: reusing the store in %s (same seed, same data); ingest not measured%n", n, dir);
    } else try (ReferenceStore store = ReferenceStore.builder().directory(dir).extractor(extractor).build()) {
      long t0 = System.nanoTime();
      store.addVectors(refs, vectors, keys, ProgressListener.NONE, CancellationToken.NONE);
      double ingest = (System.nanoTime() - t0) / 1e9;
      long t1 = System.nanoTime();
      store.flush();
      double save = (System.nanoTime() - t1) / 1e9;
      System.out.printf(Locale.ROOT, "n=%d: ingest %.1f s = %.0f refs/s (dictionary extraction + H2 + HNSW); index save %.1f s%n",
          n, ingest, n / ingest, save);

      // reopen: time to load the saved index
      long t2 = System.nanoTime();
      try (ReferenceStore reopened = ReferenceStore.builder().directory(dir).extractor(extractor).build()) {
        System.out.printf(Locale.ROOT, "n=%d: reopen %.1f s (%d vectors)%n", n, (System.nanoTime() - t2) / 1e9,
            reopened.indexedImageCount());
      }
    }
    try (ReferenceStore store = ReferenceStore.builder().directory(dir).extractor(extractor).build()) {
      ImageDescriber heuristic = ImageDescriber.builder().store(store).build();
      // a GBDT trained on 200 labelled synthetic queries
      List<TrainingExample> train = new ArrayList<>();
      // the same labelled queries, as per-mention candidates, for the per-mention GBDT and the LSTM
      ImageDescriber perMention = ImageDescriber.builder().store(store).mode(ScoringMode.PER_MENTION).build();
      List<TrainingExample> trainMentions = new ArrayList<>();
      for (int q = 0; q < 200; q++) {
        int o = rnd.nextInt(objects);
        float[] v = noisy(centres[o], 0.3, rnd);
        ScorerTraining.label(heuristic, "t" + q, v, Map.of(EntityNames.key(names[o]), true), true, train);
        ScorerTraining.label(perMention, "t" + q, v, Map.of(EntityNames.key(names[o]), true), true, trainMentions);
      }
      try (GbdtEntityScorer gbdt = GbdtEntityScorer.train(FeatureSchema.GROUPED, train,
          GbdtEntityScorer.Params.defaults(), ProgressListener.NONE, CancellationToken.NONE);
          GbdtEntityScorer gbdtMentions = GbdtEntityScorer.train(FeatureSchema.PER_MENTION, trainMentions,
              GbdtEntityScorer.Params.defaults(), ProgressListener.NONE, CancellationToken.NONE);
          LstmEntityScorer lstm = LstmEntityScorer.train(trainMentions, LstmEntityScorer.Params.defaults(),
              ProgressListener.NONE, CancellationToken.NONE)) {
        ImageDescriber trained = ImageDescriber.builder().store(store).scorer(gbdt).build();
        ImageDescriber mentionGbdt = ImageDescriber.builder().store(store).mode(ScoringMode.PER_MENTION)
            .scorer(gbdtMentions).build();
        ImageDescriber mentionLstm = ImageDescriber.builder().store(store).mode(ScoringMode.PER_MENTION)
            .scorer(lstm).build();
        float[][] qs = new float[queries][];
        int[] truth = new int[queries];
        for (int q = 0; q < queries; q++) {
          truth[q] = rnd.nextInt(objects);
          qs[q] = noisy(centres[truth[q]], 0.3, rnd);
        }
        // warm-up
        for (int q = 0; q < Math.min(50, queries); q++) {
          trained.describeVector(qs[q], null);
          mentionGbdt.describeVector(qs[q], null);
          mentionLstm.describeVector(qs[q], null);
          store.index().search(qs[q], 10);
        }
        double[] hnsw = new double[queries];
        double[] heur = new double[queries];
        double[] gb = new double[queries];
        double[] gbm = new double[queries];
        double[] ls = new double[queries];
        int correct = 0;
        int correctMentions = 0;
        int correctLstm = 0;
        for (int q = 0; q < queries; q++) {
          long s0 = System.nanoTime();
          store.index().search(qs[q], 10);
          hnsw[q] = (System.nanoTime() - s0) / 1e6;
          s0 = System.nanoTime();
          heuristic.describeVector(qs[q], null);
          heur[q] = (System.nanoTime() - s0) / 1e6;
          s0 = System.nanoTime();
          var d = trained.describeVector(qs[q], null);
          gb[q] = (System.nanoTime() - s0) / 1e6;
          String want = EntityNames.key(names[truth[q]]);
          correct += d.best() != null && d.best().key().equals(want) ? 1 : 0;
          // the two per-mention scorers share the candidate pipeline; alternate which goes first
          // so that neither always finds H2's cache warmed by the other
          for (int r = 0; r < 2; r++) {
            boolean lstmTurn = (q + r) % 2 == 0;
            s0 = System.nanoTime();
            var m = (lstmTurn ? mentionLstm : mentionGbdt).describeVector(qs[q], null);
            double ms = (System.nanoTime() - s0) / 1e6;
            boolean ok = m.best() != null && m.best().key().equals(want);
            if (lstmTurn) {
              ls[q] = ms;
              correctLstm += ok ? 1 : 0;
            } else {
              gbm[q] = ms;
              correctMentions += ok ? 1 : 0;
            }
          }
        }
        Arrays.sort(hnsw);
        Arrays.sort(heur);
        Arrays.sort(gb);
        Arrays.sort(gbm);
        Arrays.sort(ls);
        System.out.printf(Locale.ROOT, "n=%d: per mention, p50/p99 ms: describe (GBDT) %.2f/%.2f | describe (LSTM) %.2f/%.2f;"
            + " top-1 GBDT %.3f, LSTM %.3f%n", n, Metrics.quantile(gbm, 0.5), Metrics.quantile(gbm, 0.99),
            Metrics.quantile(ls, 0.5), Metrics.quantile(ls, 0.99), correctMentions / (double) queries,
            correctLstm / (double) queries);
        System.out.printf(Locale.ROOT, "n=%d: %d queries; p50/p99 ms: HNSW search only %.2f/%.2f | describe (heuristic) %.2f/%.2f"
            + " | describe (GBDT) %.2f/%.2f; GBDT top-1 on synthetic queries %.3f%n", n, queries,
            Metrics.quantile(hnsw, 0.5), Metrics.quantile(hnsw, 0.99), Metrics.quantile(heur, 0.5),
            Metrics.quantile(heur, 0.99), Metrics.quantile(gb, 0.5), Metrics.quantile(gb, 0.99),
            correct / (double) queries);
      }
    }
  }
}
