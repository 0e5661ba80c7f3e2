package io.sightline.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.benchmarks.NewShotDataset.Kind;
import io.sightline.benchmarks.NewShotDataset.Query;
import io.sightline.benchmarks.NewShotDataset.Split;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Instance recognition on {@link NewShotDataset} ("is this one of my stored objects, and which?"):
 * for each matcher, stores the references of a split, runs its known, unknown and near-copy
 * queries, and reports recall@1, recall@k and mAP@k on the known queries, recall@1 on the
 * near-copies, and the accept/abstain figures at a threshold on the top score, tuned on the tune
 * split to maximise correct accepts on known queries plus correct rejections of unknown ones and
 * then applied unchanged to the test split ({@link InstanceScores}). Prints a Markdown table, a
 * break-down of the test split's known queries, and one JSON line.
 *
 * <pre>
 * java -cp ... io.sightline.benchmarks.InstanceEvaluation [matchers=global] [k=10]
 *     [refs=300] [known=200] [unknown=100] [near=100] [seed=...]
 *     [from=FOLDER (reads FOLDER/tune and FOLDER/test written by NewShotDataset)] [details=FILE.jsonl]
 * </pre>
 *
 * The source images are found as {@link ObjectSources} says: {@code -Dsightline.debian.root=DIR}
 * (a folder with the Debian packages {@code openclipart-png}, {@code mate-backgrounds} and {@code
 * python3-skimage} unpacked by {@code dpkg -x}), or {@code -Dopenclipart.dir}, {@code
 * -Dmate.backgrounds.dir}, {@code -Dskimage.dir}, or the installed packages; else they are
 * fetched with {@code apt-get download} into {@code target/debian}. A threshold of +infinity
 * (reject everything) is written as the string {@code "Infinity"} in the JSON line.
 */
public final class InstanceEvaluation {
  /**
   * The matchers this program knows, by name; {@code matchers=a,b} picks some. Add one line per
   * new matcher, e.g. {@code MATCHERS.put("local", () -> new LocalFeatureMatcher(...));}.
   */
  public static final Map<String, Supplier<Matcher>> MATCHERS = new LinkedHashMap<>();

  static {
    MATCHERS.put("global", GlobalMatcher::new);
    // the shipped semantic encoder as a global embedder (sightline-models)
    MATCHERS.put("clipart-model", () -> new GlobalMatcher(io.sightline.models.SightlineModels.clipartImageEmbedder()));
    MATCHERS.put("local", () -> new LocalMatcher(false, LocalMatcher.configured()));
    MATCHERS.put("hybrid", () -> new LocalMatcher(true, LocalMatcher.configured()));
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private InstanceEvaluation() {}

  /**
   * What a matcher answered to one query.
   *
   * @param query the query
   * @param ranked reference ids, best first
   * @param topScore score of the best hit (negative infinity when there is none)
   * @param ms query time in milliseconds (decoding the query excluded)
   */
  public record Outcome(Query query, List<String> ranked, double topScore, double ms) {
    /** @return whether the best hit is the expected reference (false for unknown queries) */
    public boolean topCorrect() {
      return query.expected() != null && !ranked.isEmpty() && ranked.get(0).equals(query.expected());
    }
  }

  /**
   * One matcher on one split.
   *
   * @param matcher matcher name
   * @param split split name
   * @param refs references stored
   * @param addMs time to store one reference, mean, milliseconds
   * @param outcomes one per query
   */
  public record Run(String matcher, String split, int refs, double addMs, List<Outcome> outcomes) {
    /**
     * @param kind a query kind
     * @return the outcomes of that kind
     */
    public List<Outcome> of(Kind kind) {
      return outcomes.stream().filter(o -> o.query().kind() == kind).toList();
    }
  }

  /**
   * Stores a split's references in a fresh matcher and runs all its queries, one at a time.
   *
   * @param name matcher name
   * @param factory makes the matcher
   * @param split the split
   * @param k hits per query
   * @return the run
   * @throws Exception when the matcher fails
   */
  public static Run run(String name, Supplier<Matcher> factory, Split split, int k) throws Exception {
    try (Matcher m = factory.get()) {
      long t0 = System.nanoTime();
      for (NewShotDataset.Reference r : split.refs()) {
        m.add(r.id(), r.image());
      }
      double addMs = (System.nanoTime() - t0) / 1e6 / Math.max(1, split.refs().size());
      List<Outcome> out = new ArrayList<>();
      for (Query q : split.queries()) {
        BufferedImage img = q.image();
        long t = System.nanoTime();
        List<Matcher.Hit> hits = m.query(img, k);
        double ms = (System.nanoTime() - t) / 1e6;
        out.add(new Outcome(q, hits.stream().map(Matcher.Hit::id).toList(),
            hits.isEmpty() ? Double.NEGATIVE_INFINITY : hits.get(0).score(), ms));
      }
      return new Run(name, split.name(), split.refs().size(), addMs, out);
    }
  }

  /**
   * @param args see the class comment
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> a = arguments(args);
    int k = Integer.parseInt(a.getOrDefault("k", "10"));
    List<String> names = List.of(a.getOrDefault("matchers", "global").split(","));
    for (String n : names) {
      if (!MATCHERS.containsKey(n)) {
        throw new IllegalArgumentException("unknown matcher " + n + "; known: " + MATCHERS.keySet());
      }
    }
    NewShotDataset.Config config = NewShotDataset.Config.parse(a);
    NewShotDataset ds = new NewShotDataset(config);
    Split tune = a.containsKey("from") ? NewShotDatasetIo.read(Path.of(a.get("from"), "tune")) : ds.split("tune");
    Split test = a.containsKey("from") ? NewShotDatasetIo.read(Path.of(a.get("from"), "test")) : ds.split("test");

    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "new-shot instance recognition: tune %d refs / %d known / %d unknown / %d near-copy queries "
        + "(generated in %.1f s), test %d / %d / %d / %d (%.1f s); k = %d%n%n",
        tune.refs().size(), tune.queries(Kind.KNOWN).size(), tune.queries(Kind.UNKNOWN).size(), tune.queries(Kind.NEAR_COPY).size(),
        tune.seconds(), test.refs().size(), test.queries(Kind.KNOWN).size(), test.queries(Kind.UNKNOWN).size(),
        test.queries(Kind.NEAR_COPY).size(), test.seconds(), k));
    md.append("| matcher | split | R@1 | R@").append(k).append(" | mAP@").append(k)
        .append(" | near-copy R@1 | threshold (tuned on tune) | known: accepted & right | known: accepted & wrong "
            + "| unknown: false accept | decisions right | query p50 | query p99 | add / ref |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    StringBuilder breakdown = new StringBuilder();
    List<Map<String, Object>> json = new ArrayList<>();
    List<Run> runs = new ArrayList<>();
    for (String n : names) {
      Run rt = run(n, MATCHERS.get(n), tune, k);
      // only=tune: for choosing settings without looking at the test split (its rows then repeat tune's)
      Run rs = "tune".equals(a.get("only")) ? rt : run(n, MATCHERS.get(n), test, k);
      runs.add(rt);
      runs.add(rs);
      double t = InstanceScores.tuneThreshold(rt);
      InstanceScores.Figures ft = InstanceScores.figures(rt, t, k);
      InstanceScores.Figures fs = InstanceScores.figures(rs, t, k);
      double oracle = InstanceScores.tuneThreshold(rs);
      for (InstanceScores.Figures f : List.of(ft, fs)) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %s | %.3f | %.3f | %.3f | %.3f | %.1f ms | %.1f ms | %.1f ms |%n",
            n, f == ft ? "tune" : "test", f.recall1(), f.recallK(), f.mapK(), f.nearCopyRecall1(), threshold(t), f.acceptedRight(),
            f.acceptedWrong(), f.falseAccept(), f.decisionsRight(), f.queryP50Ms(), f.queryP99Ms(), f.addMs()));
      }
      breakdown.append(String.format(Locale.ROOT, "%n%s on test, known queries (threshold %s; the test split's own best would be %s, "
          + "decisions right %.3f there):%n%n", n, threshold(t), threshold(oracle), InstanceScores.figures(rs, oracle, k).decisionsRight()));
      breakdown.append(InstanceScores.breakdownTable(rs, t, buckets()));
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("matcher", n);
      j.put("threshold", t);
      j.put("tune", ft);
      j.put("test", fs);
      j.put("test_oracle_threshold", oracle);
      json.add(j);
    }
    System.out.print(md);
    System.out.print(breakdown);
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("benchmark", "instance-newshot");
    all.put("k", k);
    all.put("config", Map.of("refs", tune.refs().size(), "known", tune.queries(Kind.KNOWN).size(),
        "unknown", tune.queries(Kind.UNKNOWN).size(), "near", tune.queries(Kind.NEAR_COPY).size(), "seed", config.seed()));
    all.put("generation_s", Map.of("tune", round(tune.seconds()), "test", round(test.seconds())));
    all.put("results", json);
    System.out.println();
    System.out.println(JSON.writeValueAsString(all));
    if (a.containsKey("details")) {
      writeDetails(runs, Path.of(a.get("details")));
    }
  }

  /** The break-down of known queries by object kind, scale, occlusion and rotation. */
  static Map<String, Function<Query, String>> buckets() {
    Map<String, Function<Query, String>> b = new LinkedHashMap<>();
    b.put("object", q -> String.valueOf(q.params().get("object_kind")));
    b.put("scale", q -> band(q, "scale", 0.5, 0.7));
    b.put("occlusion", q -> band(q, "occlusion", 0.1, 0.2));
    b.put("|angle|", q -> band(q, "angle_deg", 10, 20));
    b.put("blur sigma", q -> band(q, "blur_sigma", 0.5, 1.0));
    return b;
  }

  private static String band(Query q, String key, double lo, double hi) {
    if (!(q.params().get(key) instanceof Number n)) {
      return "n/a";
    }
    double v = Math.abs(n.doubleValue());
    return v < lo ? "< " + lo : v < hi ? lo + " - " + hi : ">= " + hi;
  }

  private static void writeDetails(List<Run> runs, Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Run r : runs) {
        for (Outcome o : r.outcomes()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("matcher", r.matcher());
          m.put("split", r.split());
          m.put("query", o.query().id());
          m.put("kind", o.query().kind().name().toLowerCase());
          m.put("expected", o.query().expected());
          m.put("top", o.ranked().subList(0, Math.min(3, o.ranked().size())));
          m.put("top_score", Double.isInfinite(o.topScore()) ? null : o.topScore());
          m.put("ms", round(o.ms()));
          m.put("params", o.query().params());
          w.write(JSON.writeValueAsString(m));
          w.newLine();
        }
      }
    }
  }

  /**
   * @param args {@code key=value} strings
   * @return them as a map
   */
  static Map<String, String> arguments(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String s : args) {
      int i = s.indexOf('=');
      if (i <= 0) {
        throw new IllegalArgumentException("arguments are key=value: " + s);
      }
      m.put(s.substring(0, i), s.substring(i + 1));
    }
    return m;
  }

  private static String threshold(double t) {
    return Double.isInfinite(t) ? "inf (rejects all)" : String.format(Locale.ROOT, "%.4f", t);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
