package io.sightline.describer.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.instance.Matcher;
import io.sightline.core.instance.NoFeaturesException;
import io.sightline.describer.CandidateSet;
import io.sightline.describer.Description;
import io.sightline.describer.EntityCandidate;
import io.sightline.describer.EntityNames;
import io.sightline.describer.EntityScorer;
import io.sightline.describer.FeatureSchema;
import io.sightline.describer.GbdtEntityScorer;
import io.sightline.describer.HeuristicEntityScorer;
import io.sightline.describer.ImageDescriber;
import io.sightline.describer.LstmEntityScorer;
import io.sightline.describer.MajorityVoteScorer;
import io.sightline.describer.ReferenceInput;
import io.sightline.describer.ReferenceMatch;
import io.sightline.describer.ReferenceStore;
import io.sightline.describer.ScoringMode;
import io.sightline.describer.SequenceEntityScorer;
import io.sightline.describer.TrainingExample;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The describer on <em>new-shot</em> queries: the tune/test split folders written by the
 * benchmarks module's new-shot generator ({@code refs/*.png}, {@code queries/*.jpg},
 * {@code manifest.jsonl}: each query has a kind — {@code known} (the reference object in a new
 * photo: other scale, rotation, perspective, background, occlusion, light, blur, JPEG),
 * {@code unknown} (an object not among the references) or {@code near_copy} (a mildly cropped,
 * resized, re-encoded copy of a reference) — and its expected reference id or null).
 *
 * <p>Every reference of a split becomes a known object with a generated unique name and the
 * generated pages of {@link DescriberEvaluation} ({@link DescriberEvaluation#referencePages}).
 * Each split gets its own store (built with {@link Matcher#HYBRID} so that one store serves every
 * matcher; each matcher is applied through {@link ImageDescriber.Builder#matcher}). The GBDT (and
 * the LSTM) are trained on the labels of the <em>tune</em> split's queries; every scorer is
 * measured on the <em>test</em> split only: top-1 entity accuracy on known queries, correct
 * abstention on unknown queries, accuracy on near-copies, per matcher, mode and scorer.
 *
 * <p>Each query is matched once per matcher and mode ({@link ImageDescriber#candidates}); the
 * scorers then score that candidate set as {@link ImageDescriber#describe} does (checked against
 * {@code describe} on a few queries of every row).
 *
 * <pre>
 * java -cp ... io.sightline.describer.eval.DescriberEvaluation --newshot /tmp/newshot \
 *   [--matchers global,local,hybrid] [--lstm true|false] [--queries N] [--seed S] [--work DIR]
 * </pre>
 * {@code --queries N} keeps the first N queries of each kind per split (default: all).
 */
final class NewShotEvaluation {
  private static final List<String> KINDS = List.of("known", "unknown", "near_copy");
  private static final int CHECKS_PER_ROW = 3;

  private record RefEntry(String id, Path file, String objectKind) {}

  private record QueryEntry(String id, String kind, String expected, Path file, JsonNode params) {}

  /** A loaded query: truth key null for unknown objects. */
  private record Query(QueryEntry entry, BufferedImage image, String truthKey, int truthObject) {}

  /** A split: its store and queries; page ids are "o{object}-{page}". */
  private record Split(String name, ReferenceStore store, List<Query> queries) {}

  /** The top entity of one query under one scorer. */
  private record Top(String topKey, double topScore, boolean answered) {}

  private NewShotEvaluation() {}

  static void run(Map<String, String> a) throws Exception {
    Path root = Path.of(a.get("newshot"));
    long seed = Long.parseLong(a.getOrDefault("seed", "42"));
    List<Matcher> matchers = new ArrayList<>();
    for (String m : a.getOrDefault("matchers", "global,local,hybrid").split(",")) {
      matchers.add(Matcher.parse(m.trim()));
    }
    boolean withLstm = Boolean.parseBoolean(a.getOrDefault("lstm", "true"));
    int perKind = Integer.parseInt(a.getOrDefault("queries", String.valueOf(Integer.MAX_VALUE)));
    Path work = Path.of(a.getOrDefault("work", Files.createTempDirectory("describer-newshot").toString()));
    Random rnd = new Random(seed);
    Set<String> names = new LinkedHashSet<>();
    Matcher storeMatcher = matchers.stream().anyMatch(Matcher::usesInstances) ? Matcher.HYBRID : Matcher.GLOBAL;
    System.out.printf(Locale.ROOT, "new-shot splits from %s; matchers %s; store matcher %s; work %s%n", root, matchers,
        storeMatcher.id(), work);

    Split tune = open(root.resolve("tune"), "tune", work, rnd, names, storeMatcher, perKind);
    Split test = open(root.resolve("test"), "test", work, rnd, names, storeMatcher, perKind);
    try {
      List<String> rows = new ArrayList<>();
      List<String> matching = new ArrayList<>();
      List<String> breakdown = new ArrayList<>();
      for (Matcher matcher : matchers) {
        for (ScoringMode mode : ScoringMode.values()) {
          long tm = System.nanoTime();
          ImageDescriber tuneBase = ImageDescriber.builder().store(tune.store()).matcher(matcher).mode(mode).build();
          List<CandidateSet> tuneSets = candidates(tuneBase, tune.queries());
          ImageDescriber testBase = ImageDescriber.builder().store(test.store()).matcher(matcher).mode(mode).build();
          List<CandidateSet> testSets = candidates(testBase, test.queries());
          System.out.printf(Locale.ROOT, "%s %s: matched %d tune + %d test queries in %.1f s%n", matcher.id(), mode,
              tuneSets.size(), testSets.size(), (System.nanoTime() - tm) / 1e9);
          if (mode == ScoringMode.GROUPED) {
            matching.add(matchingRow(matcher, test.queries(), testSets));
            breakdown.addAll(breakdownRows(matcher, test.queries(), testSets));
          }
          List<TrainingExample> train = new ArrayList<>();
          for (int i = 0; i < tune.queries().size(); i++) {
            Query q = tune.queries().get(i);
            for (EntityCandidate c : tuneSets.get(i).candidates()) {
              train.add(new TrainingExample(q.entry().id(), c, c.key().equals(q.truthKey())));
            }
          }
          long pos = train.stream().filter(TrainingExample::correct).count();
          System.out.printf(Locale.ROOT, "%s %s: %d training examples (%d correct) from the tune split%n",
              matcher.id(), mode, train.size(), pos);
          List<EntityScorer> scorers = new ArrayList<>();
          GbdtEntityScorer gbdt = null;
          if (pos > 0 && pos < train.size()) {
            gbdt = GbdtEntityScorer.train(FeatureSchema.of(mode), train, GbdtEntityScorer.Params.defaults(),
                ProgressListener.NONE, CancellationToken.NONE);
            System.out.printf(Locale.ROOT, "%s %s: GBDT top features by gain: %s%n", matcher.id(), mode,
                DescriberEvaluation.top(gbdt.featureImportance(), 5));
            scorers.add(gbdt);
          } else {
            System.out.printf(Locale.ROOT, "%s %s: no GBDT (training labels of one class only)%n", matcher.id(), mode);
          }
          scorers.add(new HeuristicEntityScorer());
          if (mode == ScoringMode.GROUPED) {
            scorers.add(new MajorityVoteScorer());
          }
          LstmEntityScorer lstm = null;
          if (mode == ScoringMode.PER_MENTION && withLstm && pos > 0 && pos < train.size()) {
            long tl = System.nanoTime();
            lstm = LstmEntityScorer.train(train, LstmEntityScorer.Params.defaults(), ProgressListener.NONE,
                CancellationToken.NONE);
            System.out.printf(Locale.ROOT, "%s %s: LSTM trained in %.1f s; %s%n", matcher.id(), mode,
                (System.nanoTime() - tl) / 1e9, lstm.trainingSummary());
            scorers.add(lstm);
          }
          for (EntityScorer s : scorers) {
            ImageDescriber d = ImageDescriber.builder().store(test.store()).matcher(matcher).mode(mode).scorer(s)
                .build();
            String row = scoreRow(d, matcher, test.queries(), testSets);
            rows.add(row);
            System.out.println(row);
          }
          if (gbdt != null) {
            gbdt.close();
          }
          if (lstm != null) {
            lstm.close();
          }
        }
      }
      System.out.println();
      System.out.println("Test split, " + count(test.queries(), "known") + " known / " + count(test.queries(), "unknown")
          + " unknown / " + count(test.queries(), "near_copy") + " near-copy queries; scorers trained on the tune split ("
          + tune.queries().size() + " queries)");
      System.out.println();
      System.out.println("| matcher | mode | scorer | top-1 accuracy, known | correct abstention, unknown | accuracy, near-copy | precision of answers (known + near-copy) | known with no match |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      rows.forEach(System.out::println);
      System.out.println();
      System.out.println("Matching alone (test split; a page's object is the reference it shows):");
      System.out.println();
      System.out.println("| matcher | known: any match | known: top match is the object | known: object among matches | unknown: any match | unknown: any verified match | near-copy: top match is the object |");
      System.out.println("|---|---|---|---|---|---|---|");
      matching.forEach(System.out::println);
      System.out.println();
      System.out.println("Known test queries by generator parameter: share whose top match is the object:");
      System.out.println();
      System.out.println("| matcher | parameter | bucket: rate (n) |");
      System.out.println("|---|---|---|");
      breakdown.forEach(System.out::println);
    } finally {
      tune.store().close();
      test.store().close();
    }
  }

  /** Reads a split's manifest, builds its store from generated pages, loads its queries. */
  private static Split open(Path dir, String name, Path work, Random rnd, Set<String> names, Matcher storeMatcher,
      int perKind) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<RefEntry> refs = new ArrayList<>();
    List<QueryEntry> entries = new ArrayList<>();
    Map<String, Integer> perKindSeen = new HashMap<>();
    for (String line : Files.readAllLines(dir.resolve("manifest.jsonl"))) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n = json.readTree(line);
      String role = n.path("role").asText();
      if (role.equals("ref")) {
        refs.add(new RefEntry(n.get("id").asText(), dir.resolve(n.get("file").asText()), n.path("kind").asText()));
      } else if (role.equals("query")) {
        String kind = n.get("kind").asText();
        if (!KINDS.contains(kind)) {
          throw new IllegalArgumentException(dir + ": query kind '" + kind + "'");
        }
        if (perKindSeen.merge(kind, 1, Integer::sum) <= perKind) {
          JsonNode e = n.get("expected");
          entries.add(new QueryEntry(n.get("id").asText(), kind, e == null || e.isNull() ? null : e.asText(),
              dir.resolve(n.get("file").asText()), n.path("params")));
        }
      }
    }
    ImageLoader loader = ImageLoader.defaults();
    List<DescriberEvaluation.Obj> objs = new ArrayList<>();
    Map<String, Integer> objectOf = new HashMap<>();
    for (RefEntry r : refs) {
      String nm = DescriberEvaluation.uniqueName(rnd, names);
      objectOf.put(r.id(), objs.size());
      objs.add(new DescriberEvaluation.Obj(r.file(), nm, loader.load(r.file())));
    }
    List<ReferenceInput> inputs = DescriberEvaluation.referencePages(objs, rnd, work.resolve(name).resolve("variants"));
    ReferenceStore store = ReferenceStore.builder().directory(work.resolve(name).resolve("db")).matcher(storeMatcher)
        .build();
    long t0 = System.nanoTime();
    store.addAll(inputs, ProgressListener.NONE, CancellationToken.NONE);
    store.flush();
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "%s: %d references -> %d pages, %d images ingested in %.1f s (%.1f pages/s)%n", name,
        refs.size(), store.size(), store.imageCount(), secs, store.size() / secs);
    List<Query> queries = new ArrayList<>();
    for (QueryEntry e : entries) {
      String key = null;
      int obj = -1;
      if (e.expected() != null) {
        Integer o = objectOf.get(e.expected());
        if (o == null) {
          throw new IllegalArgumentException(dir + ": query " + e.id() + " expects '" + e.expected()
              + "', not among the split's references");
        }
        obj = o;
        key = EntityNames.key(objs.get(o).name());
      }
      if (e.kind().equals("unknown") != (key == null)) {
        throw new IllegalArgumentException(dir + ": query " + e.id() + " of kind " + e.kind() + " expects " + e.expected());
      }
      queries.add(new Query(e, loader.load(e.file()), key, obj));
    }
    System.out.printf(Locale.ROOT, "%s: %d queries (%d known, %d unknown, %d near-copy)%n", name, queries.size(),
        count(queries, "known"), count(queries, "unknown"), count(queries, "near_copy"));
    return new Split(name, store, queries);
  }

  private static long count(List<Query> queries, String kind) {
    return queries.stream().filter(q -> q.entry().kind().equals(kind)).count();
  }

  /** The candidates of every query (none when the matcher finds no local features). */
  private static List<CandidateSet> candidates(ImageDescriber d, List<Query> queries) {
    List<CandidateSet> out = new ArrayList<>(queries.size());
    for (Query q : queries) {
      try {
        out.add(d.candidates(q.image()));
      } catch (NoFeaturesException e) {
        out.add(new CandidateSet(List.of(), List.of()));
      }
    }
    return out;
  }

  /** Scores a candidate set as {@link ImageDescriber#describe} does: the top entity and whether it is accepted. */
  private static Top top(ImageDescriber d, CandidateSet set) {
    if (set.matches().isEmpty() || set.candidates().isEmpty()) {
      return new Top(null, Double.NEGATIVE_INFINITY, false);
    }
    List<EntityCandidate> cands = set.candidates();
    Map<String, Double> byKey = new LinkedHashMap<>();
    if (d.mode() == ScoringMode.PER_MENTION && d.scorer() instanceof SequenceEntityScorer seq) {
      Map<String, List<double[]>> seqs = new LinkedHashMap<>();
      for (EntityCandidate c : cands) {
        seqs.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c.features());
      }
      double[] scores = seq.scoreSequences(d.schema(), new ArrayList<>(seqs.values()));
      int i = 0;
      for (String k : seqs.keySet()) {
        byKey.put(k, scores[i++]);
      }
    } else {
      List<double[]> rows = cands.stream().map(EntityCandidate::features).toList();
      double[] scores = d.scorer().score(d.schema(), rows);
      for (int i = 0; i < cands.size(); i++) {
        byKey.merge(cands.get(i).key(), scores[i], Math::max);
      }
    }
    Map.Entry<String, Double> best = byKey.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .findFirst().orElseThrow();
    return new Top(best.getKey(), best.getValue(), best.getValue() > d.thresholds().scoreThreshold());
  }

  private static String scoreRow(ImageDescriber d, Matcher matcher, List<Query> queries, List<CandidateSet> sets) {
    Map<String, int[]> byKind = new HashMap<>(); // kind -> {n, correct (or abstained), answered}
    int noMatchKnown = 0;
    int checks = 0;
    int mismatches = 0;
    for (int i = 0; i < queries.size(); i++) {
      Query q = queries.get(i);
      Top t = top(d, sets.get(i));
      String got = t.answered() ? t.topKey() : null;
      if (checks < CHECKS_PER_ROW && !sets.get(i).matches().isEmpty()) {
        checks++;
        Description r;
        try {
          r = d.describe(q.image(), q.entry().id());
        } catch (NoFeaturesException e) {
          r = null;
        }
        String want = r == null || r.best() == null ? null : r.best().key();
        if (!java.util.Objects.equals(want, got)) {
          mismatches++;
          System.out.printf(Locale.ROOT, "WARNING %s %s %s %s: describe() gives %s, the evaluation %s%n", matcher.id(),
              d.mode(), d.scorer().id(), q.entry().id(), want, got);
        }
      }
      int[] c = byKind.computeIfAbsent(q.entry().kind(), k -> new int[3]);
      c[0]++;
      if (q.truthKey() == null) {
        c[1] += got == null ? 1 : 0;
      } else {
        c[1] += q.truthKey().equals(got) ? 1 : 0;
        c[2] += got != null ? 1 : 0;
        if (q.entry().kind().equals("known") && sets.get(i).matches().isEmpty()) {
          noMatchKnown++;
        }
      }
    }
    int[] k = byKind.getOrDefault("known", new int[3]);
    int[] u = byKind.getOrDefault("unknown", new int[3]);
    int[] n = byKind.getOrDefault("near_copy", new int[3]);
    int answered = k[2] + n[2];
    return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %d |%s", matcher.id(), d.mode(),
        d.scorer().id(), rate(k[1], k[0]), rate(u[1], u[0]), rate(n[1], n[0]), rate(k[1] + n[1], answered), noMatchKnown,
        mismatches == 0 ? "" : " (" + mismatches + "/" + checks + " checks against describe() differ)");
  }

  private static String rate(int num, int den) {
    return den == 0 ? "–" : String.format(Locale.ROOT, "%.3f (%d/%d)", num / (double) den, num, den);
  }

  private static int objectOfPage(ReferenceMatch m) {
    String id = m.id(); // "o{i}-{p}"
    return Integer.parseInt(id.substring(1, id.indexOf('-')));
  }

  private static boolean topIsObject(Query q, CandidateSet s) {
    return !s.matches().isEmpty() && objectOfPage(s.matches().get(0)) == q.truthObject();
  }

  private static String matchingRow(Matcher matcher, List<Query> queries, List<CandidateSet> sets) {
    int kn = 0;
    int kAny = 0;
    int kTop = 0;
    int kAmong = 0;
    int un = 0;
    int uAny = 0;
    int uVerified = 0;
    int nn = 0;
    int nTop = 0;
    for (int i = 0; i < queries.size(); i++) {
      Query q = queries.get(i);
      CandidateSet s = sets.get(i);
      switch (q.entry().kind()) {
        case "known" -> {
          kn++;
          kAny += s.matches().isEmpty() ? 0 : 1;
          kTop += topIsObject(q, s) ? 1 : 0;
          kAmong += s.matches().stream().anyMatch(m -> objectOfPage(m) == q.truthObject()) ? 1 : 0;
        }
        case "unknown" -> {
          un++;
          uAny += s.matches().isEmpty() ? 0 : 1;
          uVerified += s.matches().stream().anyMatch(ReferenceMatch::verified) ? 1 : 0;
        }
        default -> {
          nn++;
          nTop += topIsObject(q, s) ? 1 : 0;
        }
      }
    }
    return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |", matcher.id(), rate(kAny, kn), rate(kTop, kn),
        rate(kAmong, kn), rate(uAny, un), rate(uVerified, un), rate(nTop, nn));
  }

  /** Top-match rate of known queries by object kind, scale, rotation, occlusion, blur. */
  private static List<String> breakdownRows(Matcher matcher, List<Query> queries, List<CandidateSet> sets) {
    Map<String, Function<JsonNode, String>> params = new LinkedHashMap<>();
    params.put("object_kind", p -> p.path("object_kind").asText("?"));
    params.put("scale", p -> bucket(p.path("scale").asDouble(), 0.4, 0.6, 0.8));
    params.put("|angle_deg|", p -> bucket(Math.abs(p.path("angle_deg").asDouble()), 10, 20, 30));
    params.put("occlusion", p -> bucket(p.path("occlusion").asDouble(), 0.1, 0.2, 0.3));
    params.put("blur_sigma", p -> bucket(p.path("blur_sigma").asDouble(), 0.5, 1.0, 1.5));
    params.put("perspective", p -> bucket(p.path("perspective").asDouble(), 0.03, 0.06, 0.09));
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Function<JsonNode, String>> e : params.entrySet()) {
      Map<String, int[]> b = new TreeMap<>(Comparator.naturalOrder());
      for (int i = 0; i < queries.size(); i++) {
        Query q = queries.get(i);
        if (q.entry().kind().equals("known")) {
          int[] c = b.computeIfAbsent(e.getValue().apply(q.entry().params()), x -> new int[2]);
          c[0]++;
          c[1] += topIsObject(q, sets.get(i)) ? 1 : 0;
        }
      }
      StringBuilder sb = new StringBuilder();
      b.forEach((k, c) -> sb.append(String.format(Locale.ROOT, "%s%s: %.2f (%d)", sb.isEmpty() ? "" : "; ", k,
          c[1] / (double) c[0], c[0])));
      out.add("| " + matcher.id() + " | " + e.getKey() + " | " + sb + " |");
    }
    return out;
  }

  private static String bucket(double v, double a, double b, double c) {
    if (v < a) {
      return "<" + a;
    } else if (v < b) {
      return a + "-" + b;
    } else if (v < c) {
      return b + "-" + c;
    }
    return "≥" + c;
  }
}
