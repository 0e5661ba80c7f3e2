package io.sightline.crossmodal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.CancelledException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.ProgressListener;
import io.sightline.core.index.SearchResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contrastive first stage on held-out images (other drawings of the same classes than the
 * training images), fine-tuning from loaded weights and generated captions. One model trained
 * once for the class.
 */
class ContrastiveRetrievalTest {
  @TempDir
  static Path tmp;
  static List<ImageTextPair> pairs;
  static List<ImageTextPair> heldOut;
  static CrossModalModel model;
  static ImageCollection collection;
  static int skippedUpdates;

  @BeforeAll
  static void train() throws Exception {
    pairs = Fixtures.shapes(tmp.resolve("img"), 4, 3);
    heldOut = Fixtures.shapes(tmp.resolve("held-out"), 2, 99);
    // 40 epochs: with 20 the matching head's full scan over these 16 images was at the chance bound
    // below on three of six seeds (11-16) with the default pooling of format 5, and on one with
    // format 4's; with 40, on one of six (BENCHMARKS.md, crossmodal, twenty-second session)
    TrainingResult trained = CrossModalTrainer.builder().pairs(pairs).width(32).layers(1).heads(2)
        .epochs(40).batchSize(16).learningRate(3e-3f).seed(11).build().train();
    model = trained.model();
    skippedUpdates = trained.skippedUpdates();
    collection = model.collection(heldOut.stream().map(ImageTextPair::image).toList(),
        (a, b, c, d) -> { }, CancellationToken.NONE);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void contrastiveTrainingTakesEveryStep() {
    // the contrastive passes once met non-finite gradients (a leaked model closed by the
    // finalizer during training); every step of this run must be finite
    assertThat(skippedUpdates).isZero();
  }

  private static List<String> classTexts() {
    List<String> out = new ArrayList<>();
    for (String c : Fixtures.COLORS) {
      for (String s : Fixtures.SHAPES) {
        out.add("a " + c + " " + s);
      }
    }
    return out;
  }

  @Test
  void evaluationRanksBothDirectionsOnHeldOutPairsLikeRetrieve() {
    RetrievalEvaluation full = RetrievalEvaluation.run(model, heldOut, 0, (a, b, c, d) -> { },
        CancellationToken.NONE);
    RetrievalEvaluation twoStage = RetrievalEvaluation.run(model, heldOut, 4, (a, b, c, d) -> { },
        CancellationToken.NONE);
    RetrievalEvaluation wide = RetrievalEvaluation.run(model, heldOut, 1000, (a, b, c, d) -> { },
        CancellationToken.NONE);
    System.out.println("held-out evaluation: full " + full + "\n two-stage " + twoStage);
    // text->image R@1 of the full scan is what retrieve(text, 1) finds
    List<String> texts = heldOut.stream().map(ImageTextPair::text).distinct().toList();
    int hits = 0;
    for (String t : texts) {
      Path top = model.retrieve(t, collection, 1, RetrievalSettings.matching(0)).get(0).image();
      if (heldOut.stream().anyMatch(p -> p.text().equals(t) && p.image().equals(top))) {
        hits++;
      }
    }
    assertThat(full.texts()).isEqualTo(texts.size());
    assertThat(full.textToImage().at1()).isEqualTo(hits / (double) texts.size());
    // a first stage as wide as the set changes nothing
    assertThat(wide.textToImage()).isEqualTo(full.textToImage());
    assertThat(wide.imageToText()).isEqualTo(full.imageToText());
    // well above chance in both directions
    double chanceTi = full.images() == 0 ? 1 : 5.0 * 2 / full.images();
    assertThat(full.textToImage().at5()).isGreaterThan(chanceTi);
    assertThat(full.imageToText().at5()).isGreaterThan(5.0 / full.texts());
    assertThat(twoStage.textToImage().at5()).isGreaterThan(chanceTi);
    assertThat(full.textToImage().at1()).isGreaterThan(2.0 / full.images());
    assertThat(full.imageToText().at1()).isGreaterThan(1.0 / full.texts());
    assertThat(full.textToImage().at10()).isGreaterThanOrEqualTo(full.textToImage().at5());
  }

  @Test
  void aSavedCollectionRetrievesLikeTheOriginalAndOnlyForItsModel() throws Exception {
    Path file = tmp.resolve("held-out.collection");
    model.saveCollection(collection, file);
    Path modelDir = tmp.resolve("model-copy");
    model.save(modelDir);
    try (CrossModalModel reloaded = CrossModalModel.load(modelDir)) {
      ImageCollection loaded = reloaded.loadCollection(file);
      assertThat(loaded.images()).isEqualTo(collection.images());
      for (String text : classTexts()) {
        assertThat(reloaded.retrieve(text, loaded, 3, 6)).extracting(ImageMatch::image)
            .isEqualTo(model.retrieve(text, collection, 3, 6).stream().map(ImageMatch::image).toList());
      }
    }
    try (CrossModalModel other = CrossModalTrainer.builder().pairs(pairs).width(32).layers(1).heads(2).epochs(1)
        .batchSize(16).seed(99).build().train().model()) {
      assertThatThrownBy(() -> other.loadCollection(file)).isInstanceOf(IncompatibleFormatException.class)
          .hasMessageContaining("another model");
    }
    byte[] bytes = java.nio.file.Files.readAllBytes(file);
    java.nio.file.Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> model.loadCollection(file)).isInstanceOf(io.sightline.core.StoreException.class);
  }

  @Test
  void aLargeSavedCollectionKeepsItsFirstStageIndex() {
    java.util.Map<Path, ImageFeatures> many = new java.util.LinkedHashMap<>();
    java.util.Random rnd = new java.util.Random(3);
    List<Path> base = collection.images();
    for (int i = 0; i < ImageCollection.HNSW_FROM; i++) {
      ImageFeatures f = collection.features(base.get(i % base.size()));
      float[][] visual = new float[f.size()][];
      for (int o = 0; o < f.size(); o++) {
        visual[o] = f.visual()[o].clone();
        for (int k = 0; k < visual[o].length; k++) {
          visual[o][k] += (float) (rnd.nextGaussian() * 0.01);
        }
      }
      many.put(Path.of("synthetic", i + ".png"), new ImageFeatures(f.objects(), visual, f.spatial(), f.width(), f.height()));
    }
    ImageCollection big = model.collection(many);
    assertThat(big.approximate()).isTrue();
    Path file = tmp.resolve("big.collection");
    model.saveCollection(big, file);
    assertThat(CollectionFile.indexFile(file)).isRegularFile();
    ImageCollection loaded = model.loadCollection(file);
    assertThat(loaded.approximate()).isTrue();
    float[] q = model.textEmbedding(classTexts().get(0));
    assertThat(loaded.search(q, 5)).isEqualTo(big.search(q, 5));
  }

  @Test
  void firstStageFindsHeldOutImagesOfTheText() {
    // 8 class texts x their 2 nearest of 16 held-out images: chance is 2 hits of 16; a first stage
    // that ignores the text returns the same 2 images for every text (at most 2 hits)
    int hits = 0;
    Set<List<Path>> distinctTops = new HashSet<>();
    for (String text : classTexts()) {
      List<Path> top = collection.search(model.textEmbedding(text), 2).stream()
          .map(r -> Path.of(r.id())).toList();
      distinctTops.add(top);
      for (Path p : top) {
        if (("a " + Fixtures.classOf(p).replace('_', ' ')).equals(text)) {
          hits++;
        }
      }
    }
    System.out.println("first stage hits " + hits + "/16, distinct top-2 lists " + distinctTops.size());
    assertThat(distinctTops).hasSizeGreaterThanOrEqualTo(4);
    assertThat(hits).isGreaterThanOrEqualTo(7); // 10 in our run
  }

  @Test
  void twoStageRetrievalKeepsTheFirstStageCandidatesAndReRanksThem() {
    int hits = 0;
    for (String text : classTexts()) {
      List<ImageMatch> top = model.retrieve(text, collection, 2, 6);
      assertThat(top).hasSize(2);
      assertThat(top).allSatisfy(m -> assertThat(m.firstStageSimilarity()).isNotNaN());
      assertThat(top.get(0).logit()).isGreaterThanOrEqualTo(top.get(1).logit());
      for (ImageMatch m : top) {
        if (("a " + Fixtures.classOf(m.image()).replace('_', ' ')).equals(text)) {
          hits++;
        }
      }
    }
    System.out.println("two-stage hits " + hits + "/16");
    assertThat(hits).isGreaterThanOrEqualTo(4); // 7 in our run; chance 2
  }

  @Test
  void fusedRetrievalRanksByTheSumOfTheStandardisedScores() {
    int n = collection.size();
    boolean differs = false;
    for (String text : classTexts()) {
      List<ImageMatch> fused = model.retrieve(text, collection, n, 0, 1.0);
      assertThat(fused).hasSize(n).allSatisfy(m -> assertThat(m.firstStageSimilarity()).isNotNaN());
      double[] logit = fused.stream().mapToDouble(ImageMatch::logit).toArray();
      double[] cos = fused.stream().mapToDouble(ImageMatch::firstStageSimilarity).toArray();
      double[] zl = ModelRetrieval.zScores(logit);
      double[] zc = ModelRetrieval.zScores(cos);
      for (int i = 1; i < n; i++) {
        assertThat(zl[i - 1] + zc[i - 1]).isGreaterThanOrEqualTo(zl[i] + zc[i] - 1e-9);
      }
      // the cosine really enters: a large weight ranks by the cosine alone
      List<ImageMatch> byCos = model.retrieve(text, collection, n, 0, 1e6);
      for (int i = 1; i < n; i++) {
        assertThat(byCos.get(i - 1).firstStageSimilarity()).isGreaterThanOrEqualTo(byCos.get(i).firstStageSimilarity());
      }
      List<ImageMatch> byLogit = model.retrieve(text, collection, n, 0);
      differs |= !byCos.stream().map(ImageMatch::image).toList()
          .equals(byLogit.stream().map(ImageMatch::image).toList());
      // weight 0 is the matching head's ranking
      assertThat(model.retrieve(text, collection, n, 0, 0).stream().map(ImageMatch::image).toList())
          .isEqualTo(byLogit.stream().map(ImageMatch::image).toList());
    }
    assertThat(differs).isTrue();
    assertThatThrownBy(() -> model.retrieve("a red square", collection, 3, 0, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void embeddingRetrievalReturnsTheNearestImagesWithTheirMatchingScores() {
    Set<List<Path>> distinct = new HashSet<>();
    for (String text : classTexts()) {
      List<ImageMatch> top = model.retrieve(text, collection, 3, RetrievalSettings.embedding());
      List<SearchResult<String>> nearest = collection.search(model.textEmbedding(text), 3);
      assertThat(top).extracting(m -> m.image().toString())
          .containsExactlyElementsOf(nearest.stream().map(SearchResult::id).toList());
      for (int i = 0; i < top.size(); i++) {
        ImageMatch m = top.get(i);
        assertThat(m.firstStageSimilarity()).isCloseTo(nearest.get(i).similarity(), Offset.offset(1e-6));
        MatchScore direct = model.score(text, collection.features(m.image()));
        assertThat(m.logit()).isCloseTo(direct.logit(), Offset.offset(1e-4));
        assertThat(m.score()).isCloseTo(direct.score(), Offset.offset(1e-5));
      }
      distinct.add(top.stream().map(ImageMatch::image).toList());
    }
    // a ranking that ignored the text would return one list for every text
    assertThat(distinct).hasSizeGreaterThanOrEqualTo(4);
    assertThat(model.retrieve(classTexts().get(1), collection, 1, RetrievalSettings.embedding())).hasSize(1);
    assertThatThrownBy(() -> model.retrieve(classTexts().get(1), collection, 0, RetrievalSettings.embedding()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k must be at least 1");
    assertThat(model.retrieve(classTexts().get(0), collection, 3))
        .isEqualTo(model.retrieve(classTexts().get(0), collection, 3, RetrievalSettings.defaults()));
  }

  @Test
  void evaluationRanksLikeRetrieveForEveryRanking() {
    List<String> texts = heldOut.stream().map(ImageTextPair::text).distinct().toList();
    List<Path> images = heldOut.stream().map(ImageTextPair::image).distinct().toList();
    for (RetrievalSettings settings : List.of(RetrievalSettings.embedding(), RetrievalSettings.fused(0, 1.0),
        RetrievalSettings.fused(4, 2.0), RetrievalSettings.matching(0))) {
      RetrievalEvaluation e = RetrievalEvaluation.run(model, heldOut, settings, ProgressListener.NONE,
          CancellationToken.NONE);
      assertThat(e.ranking()).isEqualTo(settings.ranking());
      assertThat(e.firstStage()).isEqualTo(settings.firstStage());
      assertThat(e.cosineWeight()).isEqualTo(settings.cosineWeight());
      int[] hits = new int[3];
      for (String t : texts) {
        List<ImageMatch> top = model.retrieve(t, collection, 10, settings);
        int[] ks = {1, 5, 10};
        for (int n = 0; n < 3; n++) {
          if (top.subList(0, Math.min(ks[n], top.size())).stream().anyMatch(m -> paired(m.image(), t))) {
            hits[n]++;
          }
        }
      }
      assertThat(e.textToImage().at1()).as("text to image R@1, %s", settings)
          .isEqualTo(hits[0] / (double) texts.size());
      if (settings.firstStage() == 0) {
        // (with a first stage, retrieve returns only its candidates; the evaluation ranks the rest too)
        assertThat(e.textToImage()).as("text to image, %s", settings).isEqualTo(new RetrievalEvaluation.Recall(
            hits[0] / (double) texts.size(), hits[1] / (double) texts.size(), hits[2] / (double) texts.size()));
      }
    }
    // image to text by embedding: each image's best text is the one nearest by cosine
    RetrievalEvaluation byEmbedding = RetrievalEvaluation.run(model, heldOut, RetrievalSettings.embedding(),
        ProgressListener.NONE, CancellationToken.NONE);
    int hits = 0;
    for (Path image : images) {
      float[] ie = model.imageEmbedding(collection.features(image));
      int best = 0;
      double bestSim = Double.NEGATIVE_INFINITY;
      for (int t = 0; t < texts.size(); t++) {
        double sim = io.sightline.core.index.Vectors.dot(model.textEmbedding(texts.get(t)), ie);
        if (sim > bestSim) {
          bestSim = sim;
          best = t;
        }
      }
      if (paired(image, texts.get(best))) {
        hits++;
      }
    }
    assertThat(byEmbedding.imageToText().at1()).isEqualTo(hits / (double) images.size());
  }

  @Test
  void theFirstStageOfRetrieveDependsOnTheText() {
    java.util.Map<Path, Double> red = new java.util.HashMap<>();
    for (ImageMatch m : model.retrieve("a red square", collection, 6, 6)) {
      red.put(m.image(), m.firstStageSimilarity());
    }
    java.util.Map<Path, Double> blue = new java.util.HashMap<>();
    for (ImageMatch m : model.retrieve("a blue disc", collection, 6, 6)) {
      blue.put(m.image(), m.firstStageSimilarity());
    }
    assertThat(blue).isNotEqualTo(red);
  }

  @Test
  void theTextEmbeddingDependsOnTheText() {
    float[] a = model.textEmbedding("a red square");
    float[] b = model.textEmbedding("a blue disc");
    double dot = 0;
    double na = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
    }
    assertThat(na).isCloseTo(1.0, Offset.offset(1e-3));
    assertThat(dot).isLessThan(0.99);
  }

  @Test
  void fineTuningStartsFromTheLoadedWeights() {
    ImageFeatures f = model.featureExtractor().extract(heldOut.get(0).image(), List.of());
    double before = model.score("a red square", f).logit();
    float[] embBefore = model.textEmbedding("a red disc");
    // a negligible learning rate: the tuned model must stay where the loaded one was
    TrainingResult tuned = CrossModalTrainer.builder().pairs(pairs.subList(0, 8)).fineTune(model)
        .epochs(1).batchSize(8).learningRate(1e-9f).seed(5).build().train();
    try (CrossModalModel t = tuned.model()) {
      assertThat(t.score("a red square", f).logit()).isCloseTo(before, Offset.offset(1e-3));
      assertThat(t.textEmbedding("a red disc")).containsExactly(embBefore, Offset.offset(1e-3f));
    }
  }

  @Test
  void captionsOfHeldOutImagesRankTextsAsTheEvaluationRanksThemForEveryRanking() {
    List<String> texts = heldOut.stream().map(ImageTextPair::text).distinct().toList();
    List<Path> images = heldOut.stream().map(ImageTextPair::image).distinct().toList();
    java.util.Map<RetrievalSettings, Double> ownShare = new java.util.HashMap<>();
    for (RetrievalSettings settings : List.of(RetrievalSettings.embedding(), RetrievalSettings.fused(0, 1.0),
        RetrievalSettings.defaults(), RetrievalSettings.matching(0))) {
      RetrievalEvaluation e = RetrievalEvaluation.run(model, heldOut, settings, ProgressListener.NONE,
          CancellationToken.NONE);
      int own = 0;
      for (Path image : images) {
        Caption c = model.caption(collection.features(image), texts, false, settings);
        String truth = heldOut.stream().filter(p -> p.image().equals(image)).findFirst().orElseThrow().text();
        own += c.text().equals(truth) ? 1 : 0;
      }
      System.out.println("held-out captions " + settings + ": " + own + "/" + images.size()
          + ", evaluation image->text R@1 " + e.imageToText().at1());
      assertThat(own / (double) images.size()).as(settings.toString())
          .isCloseTo(e.imageToText().at1(), Offset.offset(1e-9));
      ownShare.put(settings, own / (double) images.size());
    }
    // the default ranking names held-out images far better than the matching head alone, which
    // was the only ranking of captions before (14/16 against 4/16 in our run; chance 1/12)
    assertThat(ownShare.get(RetrievalSettings.defaults())).isGreaterThanOrEqualTo(0.5)
        .isGreaterThan(ownShare.get(RetrievalSettings.matching(0)));
  }

  @Test
  void captionsRankByTheStandardisedMatchingScoreAndCosineAndCarryBoth() {
    List<String> texts = classTexts();
    boolean differs = false;
    for (ImageTextPair p : heldOut) {
      ImageFeatures f = collection.features(p.image());
      float[] q = model.imageEmbedding(f);
      double[] cos = new double[texts.size()];
      double[] logit = new double[texts.size()];
      List<MatchScore> ms = model.scoreAll(texts, java.util.Collections.nCopies(texts.size(), f));
      for (int i = 0; i < texts.size(); i++) {
        float[] t = model.textEmbedding(texts.get(i));
        for (int d = 0; d < q.length; d++) {
          cos[i] += (double) q[d] * t[d];
        }
        logit[i] = ms.get(i).logit();
      }
      double[] zl = ModelRetrieval.zScores(logit);
      double[] zc = ModelRetrieval.zScores(cos);
      int fused = argMax(i -> zl[i] + 2 * zc[i], texts.size());
      Caption c = model.caption(f, texts, false);
      assertThat(c.text()).isEqualTo(texts.get(fused));
      assertThat(c.method()).isEqualTo(Caption.Method.CANDIDATE);
      assertThat(c.similarity()).isCloseTo(cos[fused], Offset.offset(1e-4));
      assertThat(c.score()).isCloseTo(ms.get(fused).score(), Offset.offset(1e-4));
      assertThat(c.alternatives()).hasSize(ModelCaptions.ALTERNATIVES);
      double prev = zl[fused] + 2 * zc[fused];
      for (Caption.Alternative a : c.alternatives()) {
        int i = texts.indexOf(a.text());
        assertThat(zl[i] + 2 * zc[i]).isLessThanOrEqualTo(prev + 1e-6);
        assertThat(a.similarity()).isCloseTo(cos[i], Offset.offset(1e-4));
        prev = zl[i] + 2 * zc[i];
      }
      int byLogit = argMax(i -> logit[i], texts.size());
      int byCos = argMax(i -> cos[i], texts.size());
      assertThat(model.caption(f, texts, false, RetrievalSettings.matching(0)).text()).isEqualTo(texts.get(byLogit));
      assertThat(model.caption(f, texts, false, RetrievalSettings.embedding()).text()).isEqualTo(texts.get(byCos));
      differs |= byLogit != fused;
      // a first stage of 3: the fused ranking among the 3 texts nearest by the cosine
      List<Integer> nearest = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        nearest.add(i);
      }
      nearest.sort((a, b) -> Double.compare(cos[b], cos[a]));
      List<Integer> top3 = nearest.subList(0, 3);
      double[] zl3 = ModelRetrieval.zScores(top3.stream().mapToDouble(i -> logit[i]).toArray());
      double[] zc3 = ModelRetrieval.zScores(top3.stream().mapToDouble(i -> cos[i]).toArray());
      int best3 = top3.get(argMax(j -> zl3[j] + 2 * zc3[j], 3));
      assertThat(model.caption(f, texts, false, RetrievalSettings.fused(3, 2.0)).text()).isEqualTo(texts.get(best3));
    }
    // the fused ranking is not the matching head's under another name
    assertThat(differs).isTrue();
  }

  @Test
  void theStoredCandidatesAreRankedLikeTheSameTextsGiven() {
    ImageFeatures f = collection.features(heldOut.get(0).image());
    Caption stored = model.caption(f, model.captionCandidates(), false);
    Caption given = model.caption(f, new ArrayList<>(model.captionCandidates()), false);
    assertThat(stored).isEqualTo(given);
    // a text given twice is ranked once
    List<String> twice = new ArrayList<>(classTexts());
    twice.addAll(classTexts());
    Caption c = model.caption(f, twice, false);
    assertThat(c.alternatives()).extracting(Caption.Alternative::text).doesNotHaveDuplicates()
        .doesNotContain(c.text());
    // with nothing to choose from, the generated text is the caption, with its unit confidences
    Caption generated = model.caption(f, List.of(), true);
    Caption direct = model.generate(f, Math.min(4, model.config().maxTextUnits()), 4);
    assertThat(generated.method()).isEqualTo(Caption.Method.GENERATED);
    assertThat(generated.text()).isEqualTo(direct.text());
    assertThat(generated.unitConfidences()).isEqualTo(direct.unitConfidences());
    assertThat(generated.score()).isCloseTo(direct.score(), Offset.offset(1e-5));
    assertThat(generated.similarity()).isCloseTo(dot(model.imageEmbedding(f), model.textEmbedding(direct.text())),
        Offset.offset(1e-4));
    assertThat(model.caption(heldOut.get(0).image()).alternatives()).isNotEmpty();
  }


  @Test
  void theGeneratedTextAlwaysReachesTheSecondStageAndUnknownCandidatesAreSkipped() {
    ImageFeatures f = collection.features(heldOut.get(1).image());
    Caption generatedOnly = model.caption(f, List.of(), true);
    boolean isCandidate = classTexts().contains(generatedOnly.text());
    // a first stage of 2 among the 12 class texts: the 2 nearest, plus the generated text
    Caption c = model.caption(f, classTexts(), true, RetrievalSettings.fused(2, 2.0));
    List<Caption.Method> methods = new ArrayList<>();
    methods.add(c.method());
    c.alternatives().forEach(a -> methods.add(a.method()));
    assertThat(methods).hasSize(isCandidate ? 2 : 3);
    if (!isCandidate) {
      assertThat(methods).containsOnlyOnce(Caption.Method.GENERATED);
    }
    // texts without any text unit are left out; with nothing left, a clear error
    List<String> withUnknown = new ArrayList<>(classTexts());
    withUnknown.add("?! ... --");
    assertThat(model.caption(f, withUnknown, false)).isEqualTo(model.caption(f, classTexts(), false));
    assertThatThrownBy(() -> model.caption(f, List.of("?! ... --", " "), false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no candidate");
  }

  private static int argMax(java.util.function.IntToDoubleFunction f, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (f.applyAsDouble(i) > f.applyAsDouble(best)) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void generatedCaptionsPickLikelyUnits() {
    ImageFeatures f = model.featureExtractor().extract(heldOut.get(0).image(), List.of());
    Caption c = model.generate(f, 3, 2);
    // the most likely unit of a softmax over V units has probability >= 1/V; the least likely
    // (the mutation this guards against) has far less
    assertThat(c.unitConfidences()).isNotEmpty()
        .allSatisfy(p -> assertThat(p).isGreaterThan(1.0 / model.vocabulary().size()));
  }

  @Test
  void firstStageSearchIsExactBelowTheHnswSize() {
    assertThat(collection.approximate()).isFalse();
    List<SearchResult<String>> r = collection.search(model.textEmbedding("a green disc"), 16);
    assertThat(r).hasSize(16);
    for (int i = 1; i < r.size(); i++) {
      assertThat(r.get(i).similarity()).isLessThanOrEqualTo(r.get(i - 1).similarity());
    }
  }
  @Test
  void whenEveryImageMatchesEveryTextRecallIsFullInBothDirections() {
    Path a = heldOut.get(0).image();
    Path b = heldOut.get(2).image();
    List<ImageTextPair> all = List.of(ImageTextPair.of(a, "a red square"), ImageTextPair.of(a, "a blue disc"),
        ImageTextPair.of(b, "a red square"), ImageTextPair.of(b, "a blue disc"));
    RetrievalEvaluation.Recall full = new RetrievalEvaluation.Recall(1, 1, 1);
    for (int firstStage : new int[] {0, 1}) {
      RetrievalEvaluation e = RetrievalEvaluation.run(model, all, firstStage, ProgressListener.NONE,
          CancellationToken.NONE);
      assertThat(e.pairs()).isEqualTo(4);
      assertThat(e.texts()).isEqualTo(2);
      assertThat(e.images()).isEqualTo(2);
      assertThat(e.firstStage()).isEqualTo(firstStage);
      assertThat(e.textToImage()).as("text to image, first stage %d", firstStage).isEqualTo(full);
      assertThat(e.imageToText()).as("image to text, first stage %d", firstStage).isEqualTo(full);
    }
  }

  @Test
  void twoStageEvaluationRanksLikeTheFirstStageFollowedByTheMatchingHead() {
    List<String> texts = heldOut.stream().map(ImageTextPair::text).distinct().toList();
    List<Path> images = heldOut.stream().map(ImageTextPair::image).distinct().toList();
    float[][] te = new float[texts.size()][];
    for (int t = 0; t < te.length; t++) {
      te[t] = model.textEmbedding(texts.get(t));
    }
    for (int firstStage : new int[] {2, 3, 4}) {
      RetrievalEvaluation e = RetrievalEvaluation.run(model, heldOut, firstStage, ProgressListener.NONE,
          CancellationToken.NONE);
      // text to image: what two-stage retrieve finds first
      int hits = 0;
      for (String t : texts) {
        Path top = model.retrieve(t, collection, 1, firstStage).get(0).image();
        if (paired(top, t)) {
          hits++;
        }
      }
      assertThat(e.textToImage().at1()).as("text to image R@1, first stage %d", firstStage)
          .isEqualTo(hits / (double) texts.size());
      // image to text: the best-scoring text among the image's first-stage candidates
      hits = 0;
      for (Path image : images) {
        ImageFeatures f = collection.features(image);
        float[] ie = model.imageEmbedding(f);
        List<Integer> byCosine = new ArrayList<>();
        for (int t = 0; t < texts.size(); t++) {
          byCosine.add(t);
        }
        byCosine.sort(java.util.Comparator.comparingDouble((Integer t) -> -dot(te[t], ie)));
        String best = null;
        double bestLogit = Double.NEGATIVE_INFINITY;
        for (int t : byCosine.subList(0, firstStage)) {
          double logit = model.score(texts.get(t), f).logit();
          if (logit > bestLogit) {
            bestLogit = logit;
            best = texts.get(t);
          }
        }
        if (paired(image, best)) {
          hits++;
        }
      }
      assertThat(e.imageToText().at1()).as("image to text R@1, first stage %d", firstStage)
          .isEqualTo(hits / (double) images.size());
    }
  }

  @Test
  void withManyMoreTextsThanImagesTwoStageEvaluationStillRanksEachTextsOwnCandidates() {
    // Six wordings per class and one image per class: the images' own first-stage candidates
    // (their k nearest texts) cover few of the texts' candidates, so the text-to-image figures are
    // only right when the evaluation scores every text's own k candidates.
    List<ImageTextPair> wordy = new ArrayList<>();
    List<Path> images = new ArrayList<>();
    for (ImageTextPair p : heldOut) {
      if (images.stream().anyMatch(i -> Fixtures.classOf(i).equals(Fixtures.classOf(p.image())))) {
        continue;
      }
      images.add(p.image());
      String[] cs = Fixtures.classOf(p.image()).split("_");
      for (String t : List.of("a %s %s", "%s %s", "a %2$s %1$s", "%2$s %1$s", "%s a %s", "%2$s a %1$s")) {
        wordy.add(ImageTextPair.of(p.image(), String.format(t, cs[0], cs[1])));
      }
    }
    assertThat(images).hasSize(8);
    ImageCollection eight = model.collection(images, ProgressListener.NONE, CancellationToken.NONE);
    for (RetrievalSettings settings : List.of(RetrievalSettings.matching(2), RetrievalSettings.fused(2, 2.0),
        RetrievalSettings.matching(3))) {
      RetrievalEvaluation e = RetrievalEvaluation.run(model, wordy, settings, ProgressListener.NONE,
          CancellationToken.NONE);
      assertThat(e.texts()).isEqualTo(48);
      int hits = 0;
      for (ImageTextPair p : wordy) {
        Path top = model.retrieve(p.text(), eight, 1, settings).get(0).image();
        if (top.equals(p.image())) {
          hits++;
        }
      }
      assertThat(e.textToImage().at1()).as("text to image R@1, %s", settings).isEqualTo(hits / 48.0);
    }
  }

  private static boolean paired(Path image, String text) {
    return heldOut.stream().anyMatch(p -> p.image().equals(image) && p.text().equals(text));
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void buildingACollectionReportsEachImageAndStopsWhenCancelled() {
    List<Path> two = List.of(heldOut.get(0).image(), heldOut.get(1).image());
    List<String> events = new ArrayList<>();
    ImageCollection c = model.collection(two,
        (task, done, total, message) -> events.add(task + " " + done + "/" + total + " " + message),
        CancellationToken.NONE);
    assertThat(c.images()).isEqualTo(two);
    assertThat(events).containsExactly("features 1/2 " + two.get(0).getFileName(),
        "features 2/2 " + two.get(1).getFileName());
    CancellationToken cancel = new CancellationToken();
    cancel.cancel();
    List<String> none = new ArrayList<>();
    assertThatThrownBy(() -> model.collection(two, (task, done, total, message) -> none.add(task), cancel))
        .isInstanceOf(CancelledException.class);
    assertThat(none).isEmpty();
  }

  @Test
  void aFirstStageAsLargeAsTheCollectionScoresEveryImageDirectly() {
    int n = collection.size();
    assertThat(model.retrieve("a red square", collection, 3, n))
        .allSatisfy(m -> assertThat(m.firstStageSimilarity()).isNaN());
    assertThat(model.retrieve("a red square", collection, 3, n - 1))
        .allSatisfy(m -> assertThat(m.firstStageSimilarity()).isNotNaN());
  }
}
