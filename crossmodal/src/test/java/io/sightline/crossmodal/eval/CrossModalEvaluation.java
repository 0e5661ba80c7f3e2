package io.sightline.crossmodal.eval;

import io.sightline.core.CancellationToken;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.image.ImageLoader;
import io.sightline.core.metrics.Metrics;
import io.sightline.crossmodal.Caption;
import io.sightline.crossmodal.CrossModalModel;
import io.sightline.crossmodal.CrossModalTrainer;
import io.sightline.crossmodal.EpochStats;
import io.sightline.crossmodal.FeatureExtractor;
import io.sightline.crossmodal.ImageFeatures;
import io.sightline.crossmodal.ImageTextPair;
import io.sightline.crossmodal.MatchScore;
import io.sightline.crossmodal.RetrievalSettings;
import io.sightline.crossmodal.SeedLibrary;
import io.sightline.crossmodal.TrainingResult;
import io.sightline.crossmodal.Vocabulary;
import io.sightline.crossmodal.WordTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Held-out retrieval evaluation on openclipart (images with their category-path and file-name
 * words as texts): Recall@1/5/10 for text-to-image and image-to-text over the held-out pairs, for
 * the full model, ablations (no masking task, no matching task, no seed library), a dual-encoder
 * baseline trained on the same data for the same time, and random ranking; plus training
 * throughput, inference latency and model size. Every model gets the same training-time budget.
 *
 * <p>Data: {@code --clipart DIR} or, if absent, {@code /usr/share/openclipart/png},
 * {@code /tmp/deb/oc/usr/share/openclipart/png}, else the Debian package is fetched with
 * {@code apt-get download openclipart-png} and unpacked with {@code dpkg -x} into
 * {@code ~/.cache/sightline/openclipart}.
 *
 * <pre>
 * mvn -B -o -q -pl crossmodal test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.sightline.crossmodal.eval.CrossModalEvaluation \
 *   -Dexec.args="--images 500 --test 100 --seconds 60"
 * </pre>
 */
public final class CrossModalEvaluation {
  private CrossModalEvaluation() {}

  /**
   * @param args {@code [--images N] [--test N] [--seconds S[,S...]] [--clipart DIR] [--seed S]
   *     [--variants 012] [--validation N] [--warmup F[,F...]] [--fusion W[,W...]] [--first-stage K]
   *     [--latency N,...] [--cls-pooling 1] [--mean-pooling 1] [--batch 32] [--contrastive-batch N] [--lr 2e-3] [--verbose 1]
   *     [--contrastive-only 1] [--dual-seconds S,...] [--clip-norm 1] [--contrastive-weight 1] [--dropout 0]
   *     [--category-library true] [--seed-library true] [--grid 2] [--width 192] [--layers 1] [--heads 4] [--dual true] [--dual-width 64]
   *     [--rankings fused:50:2,embedding,matching:20] [--links false] [--min-bytes 8000] [--max-bytes 45000]
   *     [--embedder descriptor|sightline-clipart] [--epochs N]};
   *     {@code --epochs N} trains the full model for exactly N epochs instead of the time budget
   *     (whose clock also sets the warm-up and schedule), so two runs follow the same trajectory;
   *     {@code --embedder sightline-clipart} computes the region features with the project-trained
   *     image encoder ({@code SightlineModels.clipartImageEmbedder()}, trained on openclipart: on
   *     openclipart pairs its training drawings may be among the evaluation's) instead of the
   *     training-free descriptor;
   *     {@code --clipart} may name any folder of PNGs (e.g. an icon theme's size folder): texts are
   *     the folder words and file-name words; {@code --min-bytes}/{@code --max-bytes} bound the file
   *     sizes drawn; {@code --links true} follows symbolic links as before 2026-12-03 (a picture
   *     can then be drawn twice);
   *     {@code --width}, {@code --layers}, {@code --heads} size the full model (default: the trainer's
   *     defaults; until 2026-12-03 the evaluations ran width 64, 2 layers); {@code --dual false}
   *     leaves the dual-encoder baseline out, {@code --dual-width} sizes it; {@code --rankings} adds rows ranked as
   *     {@code RetrievalSettings} rank (ranking:firstStage:cosineWeight);
   *     {@code --batch}, {@code --contrastive-batch} and {@code --lr} set the full model's batch, its
   *     contrastive batch (default: the batch) and learning rate; {@code --cls-pooling 1} adds a "+ contrastive"
   *     variant whose embeddings are read from the CLS output (format 3) instead of the mean, {@code --mean-pooling 1}
   *     one whose projections read the mean outputs without the mean inputs (format 4's default); {@code --seconds 60,180,300} trains every variant and the
   *     baseline at each budget in turn (one table per budget); {@code --validation N} carves N of
   *     the training pairs out as the evaluation set (the held-out test pairs are then not used at
   *     all), for choosing settings; {@code --warmup} adds "+ contrastive" variants with that
   *     contrastive-only warm-up fraction; {@code --fusion} adds rows ranking by
   *     z(cosine) + W z(matching logit), both z-scored over the whole score matrix;
   *     {@code --contrastive-only 1} adds the transformer trained on the contrastive loss alone;
   *     {@code --dual-seconds S[,S...]} also trains the dual encoder for those shorter budgets (its
   *     recall after few steps); {@code --clip-norm C}, {@code --contrastive-weight W} (a factor on
   *     each variant's weight), {@code --seed-library false} and {@code --grid N} (grid cells per side
   *     of the image features, 2) change the full model's training; {@code --dropout P} sets the
   *     full model's dropout; {@code --category-library false} passes no seed library of category
   *     words at all (what a user with plain pairs gets), where {@code --seed-library false} passes it
   *     but turns the fusion off. To choose settings with as many training pairs as the held-out
   *     draws of {@code --images 500 --test 100} have (400), use {@code --images 700 --validation 200}
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int nImages = Integer.parseInt(opt.getOrDefault("images", "500"));
    int nTest = Integer.parseInt(opt.getOrDefault("test", "100"));
    double[] budgets = java.util.Arrays.stream(opt.getOrDefault("seconds", "60").split(","))
        .mapToDouble(Double::parseDouble).toArray();
    int nVal = Integer.parseInt(opt.getOrDefault("validation", "0"));
    // the trainer's own validation split (best epoch kept, as `crossmodal train --validation F`)
    double trainerValidation = Double.parseDouble(opt.getOrDefault("trainer-validation", "0"));
    // hubness correction of the cosine (CSLS): minus each candidate's mean cosine to its K nearest
    // training texts / training images (0: off)
    int hubK = Integer.parseInt(opt.getOrDefault("hubness", "0"));
    long seed = Long.parseLong(opt.getOrDefault("seed", "7"));
    // a fixed number of epochs instead of the time budget: the same trajectory run after run
    // (the warm-up and schedule follow the budget's clock otherwise), for comparing epoch choices
    int fixedEpochs = Integer.parseInt(opt.getOrDefault("epochs", "0"));
    Path clipart = clipart(opt.get("clipart"));
    System.out.println("threads: ai.djl.pytorch.num_threads=" + System.getProperty("ai.djl.pytorch.num_threads", "(engine default)")
        + ", cores=" + Runtime.getRuntime().availableProcessors());

    boolean links = Boolean.parseBoolean(opt.getOrDefault("links", "false"));
    long minBytes = Long.parseLong(opt.getOrDefault("min-bytes", "8000"));
    long maxBytes = Long.parseLong(opt.getOrDefault("max-bytes", "45000"));
    List<ImageTextPair> all = pairs(clipart, nImages, seed, links, minBytes, maxBytes);
    System.out.printf(Locale.ROOT, "drawn: %d pairs; %d of them show the same file as another drawn pair "
        + "(symbolic links%s)%n", all.size(), sameFileCount(all), links ? " followed" : " skipped");
    List<ImageTextPair> test = all.subList(0, nTest);
    List<ImageTextPair> train = all.subList(nTest, all.size());
    if (nVal > 0) {
      // validation: the first nVal training pairs (images) become the evaluation set; the
      // held-out test pairs are neither trained on nor evaluated
      test = train.subList(0, nVal);
      train = train.subList(nVal, train.size());
      nTest = nVal;
      all = new ArrayList<>(test);
      all.addAll(train);
      System.out.printf(Locale.ROOT, "VALIDATION: %d training pairs, %d validation pairs carved from the "
          + "training split; held-out test pairs unused%n", train.size(), test.size());
    }
    System.out.printf(Locale.ROOT, "data: %s, %d training pairs, %d evaluation pairs%n", clipart, train.size(), test.size());

    // image features once (grid 2x2 + whole image), shared by every run; --embedder sightline-clipart:
    // the project-trained image encoder of sightline-models instead of the training-free descriptor
    String embedderName = opt.getOrDefault("embedder", "descriptor");
    io.sightline.core.embed.ImageEmbedder embedder = switch (embedderName) {
      case "descriptor" -> new GlobalDescriptorEmbedder();
      case "sightline-clipart" -> io.sightline.models.SightlineModels.clipartImageEmbedder();
      default -> throw new IllegalArgumentException("--embedder descriptor|sightline-clipart, not " + embedderName);
    };
    System.out.printf(Locale.ROOT, "image embedder: %s (%d dimensions)%n", embedderName, embedder.dimension());
    int grid = Integer.parseInt(opt.getOrDefault("grid", "2"));
    FeatureExtractor fx = new FeatureExtractor(embedder, null, ImageLoader.defaults(), grid, 6, 0.3f);
    Map<Path, ImageFeatures> cache = new ConcurrentHashMap<>();
    long f0 = System.nanoTime();
    all.parallelStream().forEach(p -> cache.put(p.image(), fx.extract(p.image(), List.of())));
    System.out.printf(Locale.ROOT, "features: %d images in %.1f s%n", all.size(), (System.nanoTime() - f0) / 1e9);

    // seed library: the training images' whole-image vectors under their category word
    SeedLibrary.Builder sb = SeedLibrary.builder(embedder.dimension());
    for (ImageTextPair p : train) {
      sb.add(category(clipart, p.image()), cache.get(p.image()).global());
    }
    SeedLibrary seeds = sb.build();

    List<String> testTexts = test.stream().map(ImageTextPair::text).toList();
    List<ImageFeatures> testImages = test.stream().map(p -> cache.get(p.image())).toList();
    // variant: name, masking, matching, seed library, contrastive weight, hard negatives, warm-up, pooling
    List<String[]> variants = new ArrayList<>(List.of(
        new String[] {"seed losses (masking + matching) + seed library", "true", "true", "true", "0", "false", "0", "MEAN_AND_INPUTS"},
        new String[] {"  + contrastive", "true", "true", "true", "1", "false", "0", "MEAN_AND_INPUTS"},
        new String[] {"  + contrastive + hard negatives", "true", "true", "true", "1", "true", "0", "MEAN_AND_INPUTS"}));
    String only = opt.get("variants");
    for (String w : opt.getOrDefault("warmup", "").split(",")) {
      if (!w.isBlank()) {
        variants.add(new String[] {"  + contrastive, contrastive-only warm-up " + w.trim(), "true", "true", "true", "1",
            "false", w.trim(), "MEAN_AND_INPUTS"});
      }
    }
    if (opt.containsKey("contrastive-only")) {
      // the contrastive loss alone (no masking, no matching): the transformer as a dual encoder
      variants.add(new String[] {"  contrastive loss only", "false", "false", "true", "1", "false", "0", "MEAN_AND_INPUTS"});
    }
    if (opt.containsKey("mean-pooling")) {
      // the projections read the mean outputs alone, without the mean inputs (format 4's default)
      variants.add(new String[] {"  + contrastive, mean outputs only (format 4)", "true", "true", "true", "1", "false",
          "0", "MEAN"});
    }
    if (opt.containsKey("cls-pooling")) {
      // the embeddings read from the CLS output alone, as models before format 4 did
      variants.add(new String[] {"  + contrastive, CLS pooling (format 3)", "true", "true", "true", "1", "false", "0",
          "CLS"});
    }
    double[] fusion = java.util.Arrays.stream(opt.getOrDefault("fusion", "").split(","))
        .filter(x -> !x.isBlank()).mapToDouble(Double::parseDouble).toArray();
    double[] fusionRows = java.util.Arrays.stream(opt.getOrDefault("fusion-per-query", "").split(","))
        .filter(x -> !x.isBlank()).mapToDouble(Double::parseDouble).toArray();
    // --rankings fused:FIRST_STAGE:WEIGHT,matching:FIRST_STAGE,embedding: rows ranked as RetrievalSettings rank
    List<io.sightline.crossmodal.RetrievalSettings> rankings = new ArrayList<>();
    for (String r : opt.getOrDefault("rankings", "").split(",")) {
      if (!r.isBlank()) {
        String[] f = r.trim().split(":");
        rankings.add(new io.sightline.crossmodal.RetrievalSettings(
            io.sightline.crossmodal.RetrievalSettings.Ranking.valueOf(f[0].toUpperCase(Locale.ROOT)),
            f.length > 1 ? Integer.parseInt(f[1]) : 0, f.length > 2 ? Double.parseDouble(f[2]) : 0));
      }
    }
    int firstStage = Integer.parseInt(opt.getOrDefault("first-stage", "20"));
    int batch = Integer.parseInt(opt.getOrDefault("batch", "32"));
    int contrastiveBatch = Integer.parseInt(opt.getOrDefault("contrastive-batch", "0"));
    float lr = Float.parseFloat(opt.getOrDefault("lr", String.valueOf(CrossModalTrainer.DEFAULT_LEARNING_RATE)));
    int width = Integer.parseInt(opt.getOrDefault("width", String.valueOf(CrossModalTrainer.DEFAULT_WIDTH)));
    int layers = Integer.parseInt(opt.getOrDefault("layers", String.valueOf(CrossModalTrainer.DEFAULT_LAYERS)));
    int heads = Integer.parseInt(opt.getOrDefault("heads", "4"));
    boolean dual = Boolean.parseBoolean(opt.getOrDefault("dual", "true"));
    int dualWidth = Integer.parseInt(opt.getOrDefault("dual-width", "64"));
    double clipNorm = Double.parseDouble(opt.getOrDefault("clip-norm", "1.0"));
    float dropout = Float.parseFloat(opt.getOrDefault("dropout", "0"));
    double contrastiveWeight = Double.parseDouble(opt.getOrDefault("contrastive-weight", "1"));
    boolean seedLibrary = Boolean.parseBoolean(opt.getOrDefault("seed-library", "true"));
    // --category-library false: no library of category words is passed, as for a user whose pairs
    // carry no labelled boxes (the trainer's library is then empty, its fusion on but idle)
    boolean categoryLibrary = Boolean.parseBoolean(opt.getOrDefault("category-library", "true"));
    double[] dualSeconds = java.util.Arrays.stream(opt.getOrDefault("dual-seconds", "").split(","))
        .filter(x -> !x.isBlank()).mapToDouble(Double::parseDouble).toArray();
    CrossModalModel keep = null;
    TrainingResult keepResult = null;
    for (double seconds : budgets) {
    System.out.printf(Locale.ROOT, "%n=== budget %.0f s per model; load average at start: %s%n", seconds, loadAverage());
    List<String> rows = new ArrayList<>();
    rows.add("| model (" + Math.round(seconds) + " s training each) | training | samples/s | t→i R@1 | R@5 | R@10 | i→t R@1 | R@5 | R@10 |");
    rows.add("|---|---|---|---|---|---|---|---|---|");
    double r1 = 1.0 / nTest;
    rows.add(String.format(Locale.ROOT, "| random ranking (expected) | - | - | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |",
        r1, 5 * r1, 10 * r1, r1, 5 * r1, 10 * r1));
    for (int vi = 0; vi < variants.size(); vi++) {
      String[] v = variants.get(vi);
      if (vi < 3 && only != null && !only.contains(String.valueOf(vi))) {
        continue;
      }
      System.out.printf(Locale.ROOT, "training %s (%.0f s), load average %s%n", v[0].trim(), seconds, loadAverage());
      TrainingResult r = CrossModalTrainer.builder().pairs(train).embedder(embedder)
          .featureCache(cache).seedLibrary(categoryLibrary ? seeds : null).useSeedLibrary(Boolean.parseBoolean(v[3]) && seedLibrary)
          .maskingTask(Boolean.parseBoolean(v[1])).matchingTask(Boolean.parseBoolean(v[2]))
          .contrastiveWeight(Double.parseDouble(v[4]) * contrastiveWeight)
          .gradientClipNorm(clipNorm).hardNegatives(Boolean.parseBoolean(v[5]))
          .contrastiveWarmup(Double.parseDouble(v[6]))
          .embeddingPooling(io.sightline.crossmodal.EmbeddingPooling.valueOf(v[7]))
          .grid(grid).width(width).layers(layers).heads(heads).dropout(dropout).maxTextUnits(16).batchSize(batch).learningRate(lr)
          .contrastiveBatchSize(contrastiveBatch)
          .epochs(fixedEpochs > 0 ? fixedEpochs : 10_000)
          .maxDuration(fixedEpochs > 0 ? null : Duration.ofMillis((long) (seconds * 1000))).seed(seed)
          .validationFraction(trainerValidation)
          .contrastiveWordDropout(Double.parseDouble(opt.getOrDefault("word-dropout", "0.35")))
          .progress((task, done, total, msg) -> {
            if (opt.containsKey("verbose") && task.equals("train")) {
              System.out.println("  epoch " + done + " " + msg);
            }
          })
          .build().train();
      CrossModalModel m = r.model();
      float[][] s = new float[nTest][nTest];
      for (int t = 0; t < nTest; t++) {
        List<String> texts = Collections.nCopies(nTest, testTexts.get(t));
        List<MatchScore> sc = m.scoreAll(texts, testImages);
        for (int i = 0; i < nTest; i++) {
          s[t][i] = (float) sc.get(i).logit();
        }
      }
      // first stage: contrastive cosine between the text-only and image-only embeddings
      float[][] te = new float[nTest][];
      for (int t = 0; t < nTest; t++) {
        te[t] = m.textEmbedding(testTexts.get(t));
      }
      float[][] ie = m.imageEmbeddings(testImages);
      float[][] cos = new float[nTest][nTest];
      for (int t = 0; t < nTest; t++) {
        for (int i = 0; i < nTest; i++) {
          float d = 0;
          for (int k = 0; k < te[t].length; k++) {
            d += te[t][k] * ie[i][k];
          }
          cos[t][i] = d;
        }
      }
      double sps = r.history().stream().mapToDouble(EpochStats::samplesPerSecond).average().orElse(0);
      double secs = r.history().stream().mapToDouble(EpochStats::seconds).sum();
      String tr = String.format(Locale.ROOT, "%d epochs, %.0f s", r.history().size(), secs);
      rows.add(row(v[0] + ": full scan (matching head)", tr, sps, s));
      rows.add(row(v[0] + ": contrastive cosine only", tr, sps, cos));
      rows.add(row(v[0] + ": two-stage (cosine top " + firstStage + ", matching re-rank)", tr, sps,
          twoStage(cos, s, firstStage)));
      for (double w : fusion) {
        rows.add(row(v[0] + ": fused z(cos) + " + w + " z(match), full scan", tr, sps, fuse(cos, s, w)));
      }
      for (double w : fusionRows) {
        rows.add(row(v[0] + ": fused per query z(match) + " + w + " z(cos), full scan (= retrieve(text, c, k, 0, " + w + "))",
            tr, sps, fusePerQuery(s, cos, w)));
      }
      for (io.sightline.crossmodal.RetrievalSettings rs : rankings) {
        rows.add(row(v[0] + ": " + rs, tr, sps, bySettings(cos, s, rs)));
      }
      if (hubK > 0) {
        List<String> bankTexts = train.stream().map(ImageTextPair::text).toList();
        float[][] bt = new float[bankTexts.size()][];
        for (int t = 0; t < bt.length; t++) {
          bt[t] = m.textEmbedding(bankTexts.get(t));
        }
        float[][] bi = m.imageEmbeddings(train.stream().map(p -> cache.get(p.image())).toList());
        float[][] corrected = csls(cos, dots(bt, ie), dots(te, bi), hubK);
        rows.add(row(v[0] + ": cosine, hubness-corrected (CSLS, k " + hubK + ")", tr, sps, corrected));
        for (io.sightline.crossmodal.RetrievalSettings rs : rankings) {
          rows.add(row(v[0] + ": " + rs + " on the corrected cosine", tr, sps, bySettings(corrected, s, rs)));
        }
      }
      if (trainerValidation > 0) {
        EpochStats kept = r.history().stream().filter(e -> Double.isFinite(e.validationLoss()))
            .min(java.util.Comparator.comparingDouble(EpochStats::validationLoss)).orElse(null);
        System.out.printf(Locale.ROOT, "  trainer validation split %.2f (%d pairs): epoch kept %s of %d, validation"
            + " losses %s%n", trainerValidation, r.validationPairs(), kept == null ? "-" : kept.epoch(),
            r.history().size(), r.history().stream().map(e -> String.format(Locale.ROOT, "%.3f", e.validationLoss()))
                .toList());
      }
      if (r.skippedUpdates() > 0) {
        System.out.println("  " + v[0].trim() + ": " + r.skippedUpdates() + " updates skipped");
      }
      System.out.println("  done: " + rows.get(rows.size() - 1 - fusion.length - fusionRows.length - rankings.size()));
      if (keep == null) {
        keep = m;
        keepResult = r;
      } else {
        m.close();
      }
    }

    // dual encoder baseline, at the budget (and at the shorter ones of --dual-seconds)
    WordTokenizer tok = new WordTokenizer();
    Vocabulary vocab = Vocabulary.build(train.stream().map(ImageTextPair::text).toList(), tok, 1, 30_000);
    double[] dualBudgets = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(dualSeconds),
        java.util.stream.DoubleStream.of(seconds)).toArray();
    // --dual-word-dropout 0,0.35: one dual encoder per value (words left out of its training texts)
    double[] dualDropouts = java.util.Arrays.stream(opt.getOrDefault("dual-word-dropout", "0").split(","))
        .mapToDouble(Double::parseDouble).toArray();
    for (double ds : dual ? dualBudgets : new double[0]) {
     for (double dd : dualDropouts) {
      System.out.printf(Locale.ROOT, "training dual encoder (%.1f s, word dropout %.2f), load average %s%n", ds, dd,
          loadAverage());
      try (DualEncoderBaseline de = new DualEncoderBaseline(vocab, tok, 16, embedder.dimension(), dualWidth)) {
        de.train(train.stream().map(ImageTextPair::text).toList(),
            train.stream().map(p -> cache.get(p.image()).global()).toList(), ds, 32, 3e-3f, seed, dd);
        float[][] s = de.scores(testTexts, testImages.stream().map(ImageFeatures::global).toList());
        rows.add(row("dual encoder baseline (contrastive)" + (dd > 0 ? ", word dropout " + dd : ""),
            String.format(Locale.ROOT, "%.1f s, %d steps",
            de.seconds, de.steps), de.samplesSeen / de.seconds, s));
        if (hubK > 0) {
          float[][] bankByImage = de.scores(train.stream().map(ImageTextPair::text).toList(),
              testImages.stream().map(ImageFeatures::global).toList());
          float[][] textByBank = de.scores(testTexts, train.stream().map(p -> cache.get(p.image()).global()).toList());
          rows.add(row("dual encoder baseline, hubness-corrected (CSLS, k " + hubK + ")", String.format(Locale.ROOT,
              "%.1f s, %d steps", de.seconds, de.steps), de.samplesSeen / de.seconds,
              csls(s, bankByImage, textByBank, hubK)));
        }
      }
     }
    }
    System.out.println();
    rows.forEach(System.out::println);
    System.out.printf(Locale.ROOT, "load average at end of budget %.0f s: %s%n", seconds, loadAverage());
    System.out.flush();
    }

    // latency and size of the full model
    Path dir = Files.createTempDirectory("crossmodal-eval");
    Path file = keep.save(dir);
    ImageFeatures f = testImages.get(0);
    for (int i = 0; i < 20; i++) {
      keep.score(testTexts.get(0), f);
    }
    int reps = 200;
    long l0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      keep.score(testTexts.get(i % nTest), f);
    }
    double single = (System.nanoTime() - l0) / 1e6 / reps;
    long b0 = System.nanoTime();
    keep.scoreAll(Collections.nCopies(nTest, testTexts.get(0)), testImages);
    double batched = (System.nanoTime() - b0) / 1e6 / nTest;
    long c0 = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      keep.caption(testImages.get(i), List.of(), true);
    }
    double caption = (System.nanoTime() - c0) / 1e6 / 5;
    System.out.println();
    System.out.printf(Locale.ROOT, "full model: %d parameters, file %.2f MB; score latency %.2f ms/pair single, "
        + "%.2f ms/pair batched (%d per call); generated caption %.0f ms/image; features %s%n",
        keep.parameterCount(), Files.size(file) / 1e6, single, batched, nTest, caption,
        "(" + embedderName + " over 5 regions, measured above)");
    if (Boolean.parseBoolean(opt.getOrDefault("captions", "true"))) {
      captions(keep, testTexts, testImages);
      storedCaptionTimes(keep, testImages);
      storedCaptionWords(keep, testTexts, testImages);
    }
    for (String n : opt.getOrDefault("latency", "").split(",")) {
      if (!n.isBlank()) {
        latency(keep, testTexts, testImages, Integer.parseInt(n.trim()), firstStage);
      }
    }
    EpochStats last = keepResult.history().get(keepResult.history().size() - 1);
    System.out.printf(Locale.ROOT, "full model last epoch: loss %.3f, masked-text acc %.3f, matching acc %.3f%n",
        last.loss(), last.maskedTextAccuracy(), last.matchingAccuracy());
    keep.close();
    embedder.close(); // the shipped encoder holds an ONNX Runtime session
  }

  /** Load average from /proc/loadavg (1, 5, 15 min), or "?" where unreadable. */
  static String loadAverage() {
    try {
      String[] p = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return p[0] + ", " + p[1] + ", " + p[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "?";
    }
  }

  /** a[x] . b[y] for every pair: [a.length][b.length]. */
  static float[][] dots(float[][] a, float[][] b) {
    float[][] out = new float[a.length][b.length];
    for (int x = 0; x < a.length; x++) {
      for (int y = 0; y < b.length; y++) {
        float d = 0;
        for (int k = 0; k < a[x].length; k++) {
          d += a[x][k] * b[y][k];
        }
        out[x][y] = d;
      }
    }
    return out;
  }

  /**
   * Cross-domain similarity local scaling: 2 cos(t, i) - r(i) - r(t), where r(i) is image i's mean
   * cosine to its k nearest bank texts and r(t) text t's mean cosine to its k nearest bank images.
   * Per query one of the two terms is a constant, so text->image ranks by cos - r(i)/2 and
   * image->text by cos - r(t)/2: candidates near everything (hubs) step back.
   *
   * @param cos [T][I] test texts by test images
   * @param bankByImage [B][I] bank texts by test images
   * @param textByBank [T][B'] test texts by bank images
   */
  static float[][] csls(float[][] cos, float[][] bankByImage, float[][] textByBank, int k) {
    int nt = cos.length;
    int ni = cos[0].length;
    double[] ri = new double[ni];
    for (int i = 0; i < ni; i++) {
      float[] col = new float[bankByImage.length];
      for (int b = 0; b < col.length; b++) {
        col[b] = bankByImage[b][i];
      }
      ri[i] = meanTop(col, k);
    }
    double[] rt = new double[nt];
    for (int t = 0; t < nt; t++) {
      rt[t] = meanTop(textByBank[t], k);
    }
    float[][] out = new float[nt][ni];
    for (int t = 0; t < nt; t++) {
      for (int i = 0; i < ni; i++) {
        out[t][i] = (float) (2 * cos[t][i] - ri[i] - rt[t]);
      }
    }
    return out;
  }

  private static double meanTop(float[] x, int k) {
    float[] c = x.clone();
    java.util.Arrays.sort(c);
    int n = Math.min(k, c.length);
    double sum = 0;
    for (int j = 0; j < n; j++) {
      sum += c[c.length - 1 - j];
    }
    return sum / Math.max(1, n);
  }

  /** z(first) + w z(second), each z-scored over the whole matrix. */
  static float[][] fuse(float[][] first, float[][] second, double w) {
    float[][] a = zScore(first);
    float[][] c = zScore(second);
    float[][] out = new float[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        out[i][j] = (float) (a[i][j] + w * c[i][j]);
      }
    }
    return out;
  }

  /**
   * Per query, as {@code CrossModalModel.retrieve(text, images, k, 0, w)} ranks: text→image
   * z-scores each text's row over the images, image→text each image's column over the texts;
   * score = z(match) + w z(cos) (weight 0: the matching head alone).
   */
  static float[][][] fusePerQuery(float[][] match, float[][] cos, double w) {
    return bySettings(cos, match, w > 0 ? io.sightline.crossmodal.RetrievalSettings.fused(0, w)
        : io.sightline.crossmodal.RetrievalSettings.matching(0));
  }

  private static float[][] zScore(float[][] m) {
    double sum = 0;
    double sq = 0;
    int n = 0;
    for (float[] row : m) {
      for (float x : row) {
        sum += x;
        sq += (double) x * x;
        n++;
      }
    }
    double mean = sum / n;
    double sd = Math.sqrt(Math.max(1e-12, sq / n - mean * mean));
    float[][] out = new float[m.length][];
    for (int i = 0; i < m.length; i++) {
      out[i] = new float[m[i].length];
      for (int j = 0; j < m[i].length; j++) {
        out[i][j] = (float) ((m[i][j] - mean) / sd);
      }
    }
    return out;
  }

  /**
   * Retrieval latency over {@code n} images (held-out images' features with small noise, so
   * feature extraction is not timed): collection build (contrastive embeddings + index), one
   * full-scan query and the mean of 10 two-stage queries.
   */
  /**
   * Captions each held-out image among the held-out texts with each ranking, without and with a
   * generated text: how often the caption is the image's own text, how often the generated text
   * wins, and the time per image.
   */
  static void captions(CrossModalModel model, List<String> texts, List<ImageFeatures> images) {
    System.out.printf(Locale.ROOT, "%ncaptions: each of %d held-out images among the %d held-out texts%n",
        images.size(), texts.size());
    List<RetrievalSettings> rankings = List.of(RetrievalSettings.matching(0), RetrievalSettings.embedding(),
        RetrievalSettings.defaults());
    for (boolean generate : new boolean[] {false, true}) {
      for (RetrievalSettings s : rankings) {
        int own = 0;
        int generated = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < images.size(); i++) {
          Caption c = model.caption(images.get(i), texts, generate, s);
          own += c.text().equals(texts.get(i)) ? 1 : 0;
          generated += c.method() == Caption.Method.GENERATED ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "  %-34s generate %-5s own text %.3f (%d/%d), generated text chosen %d;"
            + " %.0f ms/image%n", describe(s), generate, (double) own / images.size(), own, images.size(),
            generated, (System.nanoTime() - t0) / 1e6 / images.size());
      }
    }
  }

  /** Time of caption(image) over the model's stored training texts, each ranking, with generation. */
  static void storedCaptionTimes(CrossModalModel model, List<ImageFeatures> images) {
    List<String> stored = model.captionCandidates();
    long f0 = System.nanoTime();
    model.caption(images.get(0), stored, true);
    System.out.printf(Locale.ROOT, "captions among the %d stored training texts, with a generated text: first call"
        + " (embeds the stored texts) %.0f ms%n", stored.size(), (System.nanoTime() - f0) / 1e6);
    int n = Math.min(20, images.size());
    for (RetrievalSettings s : List.of(RetrievalSettings.matching(0), RetrievalSettings.embedding(),
        RetrievalSettings.defaults())) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        model.caption(images.get(i), stored, true, s);
      }
      System.out.printf(Locale.ROOT, "  %-34s %.0f ms/image (%d images)%n", describe(s),
          (System.nanoTime() - t0) / 1e6 / n, n);
    }
  }

  /**
   * Captions each held-out image among the model's stored training texts (its own text is not
   * among them), with and without a generated text: how often the caption holds the held-out
   * text's first word (for both sources the category folder) and the mean word overlap (F1 of the
   * word sets) with the held-out text.
   */
  static void storedCaptionWords(CrossModalModel model, List<String> texts, List<ImageFeatures> images) {
    System.out.printf(Locale.ROOT, "captions of the %d held-out images among the %d stored training texts:%n",
        images.size(), model.captionCandidates().size());
    // baseline: the most frequent first word of the training texts, for every image
    Map<String, Integer> firstWords = new java.util.HashMap<>();
    for (String t : model.captionCandidates()) {
      firstWords.merge(t.toLowerCase(Locale.ROOT).split("\\s+")[0], 1, Integer::sum);
    }
    String popular = firstWords.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
        .orElse("");
    long popularHits = texts.stream().filter(t -> t.toLowerCase(Locale.ROOT).split("\\s+")[0].equals(popular))
        .count();
    System.out.printf(Locale.ROOT, "  baseline: the most frequent category word (\"%s\") for every image: %.3f%n",
        popular, (double) popularHits / texts.size());
    for (boolean generate : new boolean[] {false, true}) {
      for (RetrievalSettings s : List.of(RetrievalSettings.matching(0), RetrievalSettings.defaults())) {
        int category = 0;
        double f1 = 0;
        int generated = 0;
        for (int i = 0; i < images.size(); i++) {
          Caption c = model.caption(images.get(i), model.captionCandidates(), generate, s);
          Set<String> got = new java.util.HashSet<>(List.of(c.text().toLowerCase(Locale.ROOT).split("\\s+")));
          Set<String> truth = new java.util.HashSet<>(List.of(texts.get(i).toLowerCase(Locale.ROOT).split("\\s+")));
          category += got.contains(texts.get(i).toLowerCase(Locale.ROOT).split("\\s+")[0]) ? 1 : 0;
          long common = got.stream().filter(truth::contains).count();
          f1 += common == 0 ? 0 : 2.0 * common / (got.size() + truth.size());
          generated += c.method() == Caption.Method.GENERATED ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "  %-34s generate %-5s holds the category word %.3f, word F1 %.3f,"
            + " generated text chosen %d%n", describe(s), generate, (double) category / images.size(),
            f1 / images.size(), generated);
      }
    }
  }

  private static String describe(RetrievalSettings s) {
    return switch (s.ranking()) {
      case EMBEDDING -> "embedding";
      case MATCHING -> "matching(" + s.firstStage() + ")" + (s.firstStage() == 0 ? " (before: the only one)" : "");
      case FUSED -> "fused(" + s.firstStage() + ", " + s.cosineWeight() + ") (default)";
    };
  }

  static void latency(CrossModalModel model, List<String> texts, List<ImageFeatures> base, int n, int k) {
    Random rnd = new Random(n);
    Map<Path, ImageFeatures> f = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      ImageFeatures b = base.get(i % base.size());
      float[][] vis = new float[b.visual().length][];
      for (int o = 0; o < vis.length; o++) {
        vis[o] = b.visual()[o].clone();
        for (int d = 0; d < vis[o].length; d++) {
          vis[o][d] += (float) (rnd.nextGaussian() * 0.01);
        }
      }
      f.put(Path.of("synthetic/" + i + ".png"), new ImageFeatures(b.objects(), vis, b.spatial(), b.width(), b.height()));
    }
    long c0 = System.nanoTime();
    var coll = model.collection(f);
    double build = (System.nanoTime() - c0) / 1e9;
    model.retrieve(texts.get(0), coll, 10, k);
    long t0 = System.nanoTime();
    for (int q = 0; q < 10; q++) {
      model.retrieve(texts.get(q % texts.size()), coll, 10, k);
    }
    double two = (System.nanoTime() - t0) / 1e6 / 10;
    double[] perQuery = new double[2];
    io.sightline.crossmodal.RetrievalSettings[] others = {io.sightline.crossmodal.RetrievalSettings.embedding(),
        io.sightline.crossmodal.RetrievalSettings.defaults()};
    for (int o = 0; o < others.length; o++) {
      model.retrieve(texts.get(0), coll, 10, others[o]);
      long q0 = System.nanoTime();
      for (int q = 0; q < 10; q++) {
        model.retrieve(texts.get(q % texts.size()), coll, 10, others[o]);
      }
      perQuery[o] = (System.nanoTime() - q0) / 1e6 / 10;
    }
    long s0 = System.nanoTime();
    model.retrieve(texts.get(1), coll, 10, io.sightline.crossmodal.RetrievalSettings.matching(0));
    double full = (System.nanoTime() - s0) / 1e6;
    System.out.printf(Locale.ROOT, "latency at %d images: collection embeddings + %s %.1f s; full scan (matching head)"
        + " %.0f ms/query; two-stage (top %d re-ranked) %.1f ms/query; embedding %.1f ms/query; default %s %.1f ms/query;"
        + " load average %s%n", n, coll.approximate() ? "HNSW" : "exact index", build, full, k, two, perQuery[0],
        others[1], perQuery[1], loadAverage());
  }

  /**
   * Scores of a two-stage ranking in both directions: the {@code k} best by the first stage
   * re-ranked by the second, ahead of the rest in first-stage order. Rows of {@code first} and
   * {@code second} are texts, columns images; the text→image ranking uses the top k images per
   * text and the image→text ranking the top k texts per image, so both directions are two-stage.
   */
  static float[][][] twoStageBoth(float[][] first, float[][] second, int k) {
    int n = first.length;
    float[][] ti = new float[n][n];
    float[][] it = new float[n][n];
    for (int t = 0; t < n; t++) {
      List<Integer> top = rank(first[t]).subList(0, Math.min(k, n));
      for (int i = 0; i < n; i++) {
        ti[t][i] = top.contains(i) ? 1000 + second[t][i] : first[t][i];
      }
    }
    for (int i = 0; i < n; i++) {
      float[] col = new float[n];
      for (int t = 0; t < n; t++) {
        col[t] = first[t][i];
      }
      List<Integer> top = rank(col).subList(0, Math.min(k, n));
      for (int t = 0; t < n; t++) {
        it[t][i] = top.contains(t) ? 1000 + second[t][i] : first[t][i];
      }
    }
    return new float[][][] {ti, it};
  }

  /**
   * Both directions ranked as {@code RetrievalEvaluation} ranks with these settings, as pseudo scores
   * (n minus the rank) for {@link #row}.
   */
  static float[][][] bySettings(float[][] cos, float[][] match, io.sightline.crossmodal.RetrievalSettings rs) {
    int n = cos.length;
    float[][] ti = new float[n][n];
    float[][] it = new float[n][n];
    for (int t = 0; t < n; t++) {
      List<Integer> order = io.sightline.crossmodal.RetrievalTestAccess.ranked(cos[t], match[t], rs);
      for (int j = 0; j < n; j++) {
        ti[t][order.get(j)] = n - j;
      }
    }
    for (int i = 0; i < n; i++) {
      float[] c = new float[n];
      float[] l = new float[n];
      for (int t = 0; t < n; t++) {
        c[t] = cos[t][i];
        l[t] = match[t][i];
      }
      List<Integer> order = io.sightline.crossmodal.RetrievalTestAccess.ranked(c, l, rs);
      for (int j = 0; j < n; j++) {
        it[order.get(j)][i] = n - j;
      }
    }
    return new float[][][] {ti, it};
  }

  private static float[][][] twoStage(float[][] first, float[][] second, int k) {
    return twoStageBoth(first, second, k);
  }

  private static String row(String name, String training, double sps, float[][][] both) {
    return row(name, training, sps, both[0], both[1]);
  }

  private static String row(String name, String training, double sps, float[][] s) {
    return row(name, training, sps, s, s);
  }

  private static String row(String name, String training, double sps, float[][] s, float[][] sIt) {
    int n = s.length;
    double[] ti = new double[3];
    double[] it = new double[3];
    int[] ks = {1, 5, 10};
    for (int q = 0; q < n; q++) {
      List<Integer> byImage = rank(s[q]);
      float[] col = new float[n];
      for (int t = 0; t < n; t++) {
        col[t] = sIt[t][q];
      }
      List<Integer> byText = rank(col);
      for (int k = 0; k < 3; k++) {
        ti[k] += Metrics.recallAtK(byImage, Set.of(q), ks[k]);
        it[k] += Metrics.recallAtK(byText, Set.of(q), ks[k]);
      }
    }
    return String.format(Locale.ROOT, "| %s | %s | %.0f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |", name, training,
        sps, ti[0] / n, ti[1] / n, ti[2] / n, it[0] / n, it[1] / n, it[2] / n);
  }

  private static List<Integer> rank(float[] scores) {
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < scores.length; i++) {
      idx.add(i);
    }
    idx.sort((a, b) -> Float.compare(scores[b], scores[a]));
    return idx;
  }

  static String category(Path root, Path image) {
    Path rel = root.relativize(image);
    return rel.getNameCount() >= 2 ? rel.getName(rel.getNameCount() - 2).toString().replace('_', ' ') : "misc";
  }

  /** Pairs as {@link #pairs(Path, int, long, boolean, long, long)}: symbolic links skipped, files of 8-45 KB. */
  static List<ImageTextPair> pairs(Path root, int n, long seed) throws Exception {
    return pairs(root, n, seed, false, 8_000, 45_000);
  }

  /**
   * Pairs: category path words + file-name words; files of minBytes-maxBytes, outside
   * unsorted/special. openclipart-png holds 1,221 symbolic links to drawings filed under another
   * category (and icon themes hold aliases); a link and its target are the same picture, so with
   * {@code links} false links are skipped and each picture is drawn at most once (until
   * 2026-12-03 they were followed: a draw could hold one picture twice, on both sides of the split).
   */
  static List<ImageTextPair> pairs(Path root, int n, long seed, boolean links, long minBytes, long maxBytes)
      throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = new ArrayList<>(s.filter(p -> p.toString().endsWith(".png"))
          .filter(p -> links || !Files.isSymbolicLink(p)).filter(p -> {
        String top = root.relativize(p).getName(0).toString();
        return !top.equals("unsorted") && !top.equals("special");
      }).filter(p -> {
        try {
          long sz = Files.size(p);
          return sz >= minBytes && sz <= maxBytes;
        } catch (java.io.IOException e) {
          return false;
        }
      }).sorted().toList());
    }
    Collections.shuffle(files, new Random(seed));
    List<ImageTextPair> out = new ArrayList<>();
    for (Path f : files) {
      if (out.size() >= n) {
        break;
      }
      Path rel = root.relativize(f);
      List<String> words = new ArrayList<>();
      for (int i = 0; i < rel.getNameCount() - 1; i++) {
        words.add(rel.getName(i).toString().replace('_', ' '));
      }
      for (String w : rel.getFileName().toString().replaceFirst("\\.png$", "").split("[^\\p{L}]+")) {
        if (w.length() > 2) {
          words.add(w);
        }
      }
      out.add(ImageTextPair.of(f, String.join(" ", words).toLowerCase(Locale.ROOT)));
    }
    return out;
  }

  /** @return pairs whose image is the same file (after following links) as an earlier pair's */
  static int sameFileCount(List<ImageTextPair> pairs) throws java.io.IOException {
    java.util.Set<Path> seen = new java.util.HashSet<>();
    int same = 0;
    for (ImageTextPair p : pairs) {
      if (!seen.add(p.image().toRealPath())) {
        same++;
      }
    }
    return same;
  }

  static Path clipart(String given) throws Exception {
    if (given != null) {
      return Path.of(given);
    }
    for (String c : List.of("/usr/share/openclipart/png", "/tmp/deb/oc/usr/share/openclipart/png")) {
      if (Files.isDirectory(Path.of(c))) {
        return Path.of(c);
      }
    }
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "sightline", "openclipart");
    Path png = cache.resolve("usr/share/openclipart/png");
    if (!Files.isDirectory(png)) {
      Files.createDirectories(cache);
      run(cache, "apt-get", "download", "openclipart-png");
      try (Stream<Path> s = Files.list(cache)) {
        Path deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
            .orElseThrow(() -> new IllegalStateException("apt-get download openclipart-png gave no .deb"));
        run(cache, "dpkg", "-x", deb.toString(), cache.toString());
      }
    }
    return png;
  }

  private static void run(Path dir, String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed");
    }
  }
}
