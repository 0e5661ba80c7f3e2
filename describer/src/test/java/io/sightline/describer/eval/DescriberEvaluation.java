package io.sightline.describer.eval;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.image.Distortions;
import io.sightline.core.image.ImageLoader;
import io.sightline.describer.Description;
import io.sightline.describer.EntityNames;
import io.sightline.describer.EntityScorer;
import io.sightline.describer.FeatureSchema;
import io.sightline.describer.GbdtEntityScorer;
import io.sightline.describer.HeuristicEntityScorer;
import io.sightline.describer.ImageDescriber;
import io.sightline.describer.ImageSource;
import io.sightline.describer.LstmEntityScorer;
import io.sightline.describer.MajorityVoteScorer;
import io.sightline.core.instance.Matcher;
import io.sightline.describer.Reference;
import io.sightline.describer.ReferenceInput;
import io.sightline.describer.ReferenceStore;
import io.sightline.describer.ScorerTraining;
import io.sightline.describer.ScoringMode;
import io.sightline.describer.TrainingExample;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Evaluation of the describer on openclipart (Debian package {@code openclipart-png}, CC0).
 *
 * <p>Every known object is one clipart image with a generated, unique proper name (e.g. "Taroven
 * Belisk"); it gets two or three generated reference pages (labelled as generated) drawn from
 * templates: some name it in the title and a field, others only in the body and put a
 * <em>distractor</em> (another object's name) in the title, and all share generic words
 * ("clipart", "picture", "gallery"). One page shows a mildly distorted copy of the image, the
 * others the original (duplicates merge). Unknown objects are clipart images not in the store.
 * Queries are distorted copies ({@link Distortions#standard()}, cycled) of known and unknown
 * images. Objects are split in half: the GBDT is trained on the labels of the first half's
 * queries and every scorer is measured on the second half's.
 *
 * <p>Reports, for the trained GBDT (grouped and per-mention), the heuristic scorer and the
 * majority-vote baseline, in one run: top-1 entity accuracy on known objects, correct-abstention
 * rate on unknown ones, and ingest throughput with the OpenNLP extractor.
 *
 * <pre>
 * mvn -B -o -q -pl describer test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.sightline.describer.eval.DescriberEvaluation -Dexec.args="--known 300 --unknown 150"
 * </pre>
 * Options: {@code --known N}, {@code --unknown N}, {@code --seed S}, {@code --matcher global|local|hybrid}
 * (default global: queries are described by their vectors, as before matchers existed; local and
 * hybrid describe the query images through the store's instance index), {@code --openclipart DIR}
 * (default {@code /usr/share/openclipart/png}, then {@code /tmp/deb/oc/usr/share/openclipart/png};
 * when neither exists the program fetches the package with {@code apt-get download openclipart-png}
 * and unpacks it with {@code dpkg -x}), {@code --work DIR}.
 *
 * <p>{@code --newshot DIR} evaluates on new-shot queries instead (objects in new photos, unknown
 * objects, near-copies) from the tune/test split folders the benchmarks module's generator
 * writes under DIR: see {@link NewShotEvaluation} (same page generation; GBDT trained on the tune
 * split, every scorer measured on the test split, for each of {@code --matchers global,local,hybrid}).
 */
public final class DescriberEvaluation {
  private static final String[] SYLLABLES = {"ta", "ro", "ven", "bel", "isk", "mar", "do", "ka", "lin", "ser",
      "vo", "qua", "nel", "tri", "os", "pa", "dru", "mek", "zan", "fi", "lo", "gar", "tes", "wyn", "hal", "cor",
      "bri", "um", "sta", "rel"};

  record Obj(Path image, String name, BufferedImage pixels) {}

  private record Query(String id, BufferedImage image, String truthKey, boolean train) {}

  private DescriberEvaluation() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int known = Integer.parseInt(a.getOrDefault("known", "300"));
    int unknown = Integer.parseInt(a.getOrDefault("unknown", "150"));
    long seed = Long.parseLong(a.getOrDefault("seed", "42"));
    if (a.containsKey("newshot")) {
      NewShotEvaluation.run(a);
      return;
    }
    Matcher matcher = Matcher.parse(a.getOrDefault("matcher", "global"));
    Path clipart = findOpenclipart(a.get("openclipart"));
    Path work = Path.of(a.getOrDefault("work", Files.createTempDirectory("describer-eval").toString()));
    Random rnd = new Random(seed);
    ImageLoader loader = ImageLoader.defaults();

    List<Path> files;
    try (Stream<Path> s = Files.walk(clipart)) {
      files = new ArrayList<>(s.filter(p -> p.toString().endsWith(".png")).filter(p -> {
        try {
          long size = Files.size(p);
          return size > 6_000 && size < 200_000;
        } catch (IOException e) {
          return false;
        }
      }).sorted().toList());
    }
    Collections.shuffle(files, rnd);
    List<Obj> objs = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (Path f : files) {
      if (objs.size() == known + unknown) {
        break;
      }
      BufferedImage img;
      try {
        img = loader.load(f);
      } catch (RuntimeException e) {
        continue;
      }
      String name = uniqueName(rnd, names);
      objs.add(new Obj(f, name, img));
    }
    List<Obj> knownObjs = objs.subList(0, known);
    List<Obj> unknownObjs = objs.subList(known, objs.size());
    System.out.printf(Locale.ROOT, "objects: %d known, %d unknown, from %s%n", knownObjs.size(), unknownObjs.size(), clipart);

    // reference pages (generated for this evaluation)
    List<ReferenceInput> inputs = referencePages(knownObjs, rnd, work.resolve("variants"));
    List<Distortions.Named> dist = Distortions.standard();
    // queries
    List<Query> queries = new ArrayList<>();
    for (int i = 0; i < knownObjs.size(); i++) {
      Obj o = knownObjs.get(i);
      Distortions.Named d = dist.get(i % dist.size());
      queries.add(new Query("known-" + i + "-" + d.name(), d.apply().apply(o.pixels()), EntityNames.key(o.name()),
          i < knownObjs.size() / 2));
    }
    for (int i = 0; i < unknownObjs.size(); i++) {
      Obj o = unknownObjs.get(i);
      Distortions.Named d = dist.get(i % dist.size());
      queries.add(new Query("unknown-" + i + "-" + d.name(), d.apply().apply(o.pixels()), null,
          i < unknownObjs.size() / 2));
    }

    Path dbDir = work.resolve("db");
    try (ReferenceStore store = ReferenceStore.builder().directory(dbDir).matcher(matcher).build()) {
      System.out.println("matcher: " + matcher.id());
      long t0 = System.nanoTime();
      store.addAll(inputs, ProgressListener.NONE, CancellationToken.NONE);
      store.flush();
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "ingest (decode + embed + OpenNLP extraction + H2 + HNSW): %d pages, %d images in %.1f s = %.1f pages/s%n",
          store.size(), store.imageCount(), secs, store.size() / secs);

      Map<String, float[]> vectors = new LinkedHashMap<>();
      for (Query q : queries) {
        vectors.put(q.id(), store.embedder().embed(q.image()));
      }
      List<String> rows = new ArrayList<>();
      List<String> sweeps = new ArrayList<>();
      for (ScoringMode mode : ScoringMode.values()) {
        ImageDescriber base = ImageDescriber.builder().store(store).mode(mode).build();
        List<TrainingExample> train = new ArrayList<>();
        for (Query q : queries) {
          if (q.train()) {
            Map<String, Boolean> labels = q.truthKey() == null ? Map.of() : Map.of(q.truthKey(), true);
            if (matcher == Matcher.GLOBAL) {
              ScorerTraining.label(base, q.id(), vectors.get(q.id()), labels, true, train);
            } else {
              try {
                ScorerTraining.label(base, q.id(), q.image(), labels, true, train);
              } catch (io.sightline.core.instance.NoFeaturesException e) {
                // a flat query has no candidates under the local matcher
              }
            }
          }
        }
        long pos = train.stream().filter(TrainingExample::correct).count();
        System.out.printf(Locale.ROOT, "%s: %d training examples (%d correct)%n", mode, train.size(), pos);
        long tt = System.nanoTime();
        GbdtEntityScorer gbdt = GbdtEntityScorer.train(FeatureSchema.of(mode), train, GbdtEntityScorer.Params.defaults(),
            ProgressListener.NONE, CancellationToken.NONE);
        System.out.printf(Locale.ROOT, "%s: GBDT trained in %.1f s; top features by gain: %s%n", mode,
            (System.nanoTime() - tt) / 1e9, top(gbdt.featureImportance(), 5));
        List<EntityScorer> scorers = new ArrayList<>(List.of(gbdt, new HeuristicEntityScorer()));
        if (mode == ScoringMode.GROUPED) {
          scorers.add(new MajorityVoteScorer());
        }
        LstmEntityScorer lstm = null;
        if (mode == ScoringMode.PER_MENTION) {
          // seed [0036]: the sequence of each entity's mentions, read by an LSTM
          long tl = System.nanoTime();
          lstm = LstmEntityScorer.train(train, LstmEntityScorer.Params.defaults(), ProgressListener.NONE,
              CancellationToken.NONE);
          System.out.printf(Locale.ROOT, "%s: LSTM trained in %.1f s; %s%n", mode, (System.nanoTime() - tl) / 1e9,
              lstm.trainingSummary());
          scorers.add(lstm);
        }
        for (EntityScorer s : scorers) {
          // threshold sweep: the top candidate of every test query, scored once
          ImageDescriber all = ImageDescriber.builder().store(store).mode(mode).scorer(s)
              .build(); // candidates hold every scored entity, whatever the threshold
          List<double[]> tops = new ArrayList<>(); // {isKnown, topIsCorrect, topScore}
          for (Query q : queries) {
            if (!q.train()) {
              Description r = describe(all, q, vectors, matcher);
              boolean has = !r.candidates().isEmpty();
              tops.add(new double[] {q.truthKey() != null ? 1 : 0,
                  has && r.candidates().get(0).key().equals(q.truthKey()) ? 1 : 0,
                  has ? r.candidates().get(0).score() : Double.NEGATIVE_INFINITY});
            }
          }
          StringBuilder sweep = new StringBuilder();
          for (double t : new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}) {
            int kc = 0;
            int kt = 0;
            int ua = 0;
            int ut = 0;
            for (double[] x : tops) {
              boolean answers = x[2] > t;
              if (x[0] == 1) {
                kt++;
                kc += answers && x[1] == 1 ? 1 : 0;
              } else {
                ut++;
                ua += answers ? 0 : 1;
              }
            }
            sweep.append(String.format(Locale.ROOT, " t=%.1f: %.3f/%.3f;", t, kc / (double) kt, ua / (double) ut));
          }
          sweeps.add("| " + mode + " | " + s.id() + " |" + sweep + " |");
          ImageDescriber d = ImageDescriber.builder().store(store).mode(mode).scorer(s).build();
          int kn = 0;
          int correct = 0;
          int answered = 0;
          int un = 0;
          int abst = 0;
          int noMatchKnown = 0;
          for (Query q : queries) {
            if (q.train()) {
              continue;
            }
            Description r = describe(d, q, vectors, matcher);
            String got = r.best() == null ? null : r.best().key();
            if (q.truthKey() != null) {
              kn++;
              correct += q.truthKey().equals(got) ? 1 : 0;
              answered += got != null ? 1 : 0;
              noMatchKnown += r.status() == Description.Status.NO_MATCHING_REFERENCE ? 1 : 0;
            } else {
              un++;
              abst += got == null ? 1 : 0;
            }
          }
          String row = String.format(Locale.ROOT, "| %s | %s | %.3f (%d/%d) | %.3f (%d/%d) | %.3f | %d |", mode, s.id(),
              correct / (double) kn, correct, kn, abst / (double) un, abst, un,
              answered == 0 ? 0 : correct / (double) answered, noMatchKnown);
          rows.add(row);
          System.out.println(row);
        }
        gbdt.close();
        if (lstm != null) {
          lstm.close();
        }
      }
      System.out.println();
      System.out.println("| mode | scorer | top-1 accuracy, known (test half) | correct abstention, unknown (test half) | precision of answers | known queries with no match |");
      System.out.println("|---|---|---|---|---|---|");
      rows.forEach(System.out::println);
      System.out.println();
      System.out.println("| mode | scorer | score threshold t: top-1 accuracy known / correct abstention unknown |");
      System.out.println("|---|---|---|");
      sweeps.forEach(System.out::println);
    }
  }

  /** By vector under GLOBAL (as before matchers existed), by image otherwise. */
  private static Description describe(ImageDescriber d, Query q, Map<String, float[]> vectors, Matcher matcher) {
    if (matcher == Matcher.GLOBAL) {
      return d.describeVector(vectors.get(q.id()), q.id());
    }
    try {
      return d.describe(q.image(), q.id());
    } catch (io.sightline.core.instance.NoFeaturesException e) {
      return new Description(q.id(), Description.Status.NO_MATCHING_REFERENCE, null, List.of(), List.of(), List.of(),
          d.thresholds(), d.mode(), d.scorer().id(), matcher);
    }
  }

  static String top(Map<String, Double> imp, int n) {
    return imp.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(n)
        .map(Map.Entry::getKey).toList().toString();
  }

  /**
   * The generated reference pages of the known objects: two or three pages each (see the class
   * comment), the last one showing a mildly cropped copy written to {@code variants}.
   */
  static List<ReferenceInput> referencePages(List<Obj> knownObjs, Random rnd, Path variants) throws IOException {
    List<ReferenceInput> inputs = new ArrayList<>();
    Files.createDirectories(variants);
    for (int i = 0; i < knownObjs.size(); i++) {
      Obj o = knownObjs.get(i);
      String d1 = knownObjs.get((i + 1 + rnd.nextInt(knownObjs.size() - 1)) % knownObjs.size()).name();
      String d2 = knownObjs.get((i + 1 + rnd.nextInt(knownObjs.size() - 1)) % knownObjs.size()).name();
      List<Integer> templates = new ArrayList<>(List.of(0, 1, 2, 3, 4));
      Collections.shuffle(templates, rnd);
      int pages = 2 + rnd.nextInt(2);
      for (int p = 0; p < pages; p++) {
        Reference ref = page(o.name(), d1, d2, templates.get(p), "o" + i + "-" + p, rnd);
        ImageSource src;
        if (p == pages - 1) {
          // a page with a mildly distorted copy: a second vector for the same object
          Path v = variants.resolve("o" + i + ".png");
          javax.imageio.ImageIO.write(Distortions.cropBorders(o.pixels(), 0.03), "png", v.toFile());
          src = ImageSource.ofPath(v);
        } else {
          src = ImageSource.ofPath(o.image());
        }
        inputs.add(ReferenceInput.of(ref, src));
      }
    }
    return inputs;
  }

  /** A generated proper name ("Taroven Belisk") not yet in {@code names}; adds it. */
  static String uniqueName(Random rnd, Set<String> names) {
    String name;
    do {
      name = word(rnd, 2 + rnd.nextInt(2)) + " " + word(rnd, 2);
    } while (!names.add(name));
    return name;
  }

  private static String word(Random rnd, int syllables) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < syllables; i++) {
      sb.append(SYLLABLES[rnd.nextInt(SYLLABLES.length)]);
    }
    sb.setCharAt(0, Character.toUpperCase(sb.charAt(0)));
    return sb.toString();
  }

  /** Page templates; every text says it was generated. */
  private static Reference page(String name, String d1, String d2, int template, String id, Random rnd) {
    long displays = 50 + rnd.nextInt(5000);
    long views = displays / (2 + rnd.nextInt(5));
    long clicks = views / (3 + rnd.nextInt(10));
    String gen = " (Page generated for the Sightline evaluation.)";
    return switch (template) {
      case 0 -> new Reference(id, name + " | free clipart", "The " + name + " drawn as clipart. Related pictures: "
          + d1 + " and " + d2 + "." + gen, Map.of("subject", name), displays, views, clicks);
      case 1 -> new Reference(id, "Gallery of " + d1, "This gallery page mostly shows the " + d1
          + " in many colours. One picture is the " + name + ", next to the " + d2 + "." + gen, Map.of(),
          displays, views, clicks);
      case 2 -> new Reference(id, "Free clipart pictures", "Download the " + name
          + " picture and many more clipart images, such as the " + d1 + "." + gen, Map.of("category", "clipart"),
          displays, views, clicks);
      case 3 -> new Reference(id, name + " - vector image", "A vector picture of the " + name + "." + gen,
          Map.of("tags", "clipart, vector, " + d2), displays, views, clicks);
      default -> new Reference(id, "Blog: my favourite clipart", "Today I compare the " + d1 + " with the "
          + name + ". The " + name + " wins, the " + d2 + " is second." + gen, Map.of(), displays, views, clicks);
    };
  }

  /** Finds the openclipart PNG folder, fetching the Debian package with apt-get when absent. */
  static Path findOpenclipart(String given) throws IOException, InterruptedException {
    List<Path> candidates = new ArrayList<>();
    if (given != null) {
      candidates.add(Path.of(given));
    }
    candidates.add(Path.of("/usr/share/openclipart/png"));
    candidates.add(Path.of("/tmp/deb/oc/usr/share/openclipart/png"));
    for (Path p : candidates) {
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    Path dir = Files.createTempDirectory("openclipart");
    System.err.println("openclipart not found; fetching it: apt-get download openclipart-png && dpkg -x ... " + dir);
    run(dir, "apt-get", "download", "openclipart-png");
    Path deb;
    try (Stream<Path> s = Files.list(dir)) {
      deb = s.filter(p -> p.getFileName().toString().startsWith("openclipart-png") && p.toString().endsWith(".deb"))
          .findFirst().orElseThrow(() -> new IOException("apt-get download openclipart-png produced no .deb"));
    }
    run(dir, "dpkg", "-x", deb.toString(), dir.resolve("x").toString());
    return dir.resolve("x/usr/share/openclipart/png");
  }

  private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed");
    }
  }
}
