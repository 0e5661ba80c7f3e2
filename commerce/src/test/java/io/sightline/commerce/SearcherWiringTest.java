package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.ProgressListener;
import io.sightline.core.classify.Classification;
import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.embed.ImageEmbedder;
import io.sightline.core.instance.Matcher;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The searcher's wiring, checked against hand-computed answers: a catalog of vectors with known
 * cosines to the query (an embedder that always answers the query vector and records the size of
 * every image it embeds), so that each builder option (distance bound, rank filter, entropy
 * filter, category ordering, best-match pin, de-duplication, padding, main-object crop, page) is
 * seen to change the answer exactly as its documented rule says.
 */
class SearcherWiringTest {
  static final float[] QUERY = {1, 0, 0, 0};

  /** Answers {@link #QUERY} for every image and records each image's size ("w x h"). */
  static final class ProbeEmbedder implements ImageEmbedder {
    final List<String> sizes = Collections.synchronizedList(new ArrayList<>());

    @Override
    public float[] embed(BufferedImage image) {
      sizes.add(image.getWidth() + "x" + image.getHeight());
      return QUERY.clone();
    }

    @Override
    public int dimension() {
      return 4;
    }

    @Override
    public String id() {
      return "probe/1";
    }
  }

  /** Always finds the given boxes, labelled "shirt", score 0.9. */
  static ObjectDetector boxes(Box... found) {
    return new ObjectDetector() {
      @Override
      public List<Detection> detect(BufferedImage image) {
        List<Detection> out = new ArrayList<>();
        for (Box b : found) {
          out.add(new Detection(b, "shirt", 0.9f));
        }
        return out;
      }

      @Override
      public String id() {
        return "boxes/1";
      }
    };
  }

  @TempDir
  Path dir;
  ProbeEmbedder probe;
  ProductCatalog catalog;
  Path img;

  @BeforeEach
  void open() throws Exception {
    img = Fixtures.write(Fixtures.product(1), dir.resolve("p.png"));
    probe = new ProbeEmbedder();
    catalog = ProductCatalog.builder().inMemory().matcher(Matcher.GLOBAL).embedder(Intent.APPAREL, probe)
        .embedder(Intent.OTHER_COMMODITY, probe).open();
  }

  @AfterEach
  void close() {
    catalog.close();
  }

  /** A vector whose cosine with {@link #QUERY} is {@code cos}: its cosine distance is 1 - cos, its rank value 1 + cos. */
  static float[] at(double cos) {
    return new float[] {(float) cos, (float) Math.sqrt(1 - cos * cos), 0, 0};
  }

  /** Indexes products "id:category:cosine". */
  void index(String... products) {
    List<CatalogEntry> entries = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    for (String p : products) {
      String[] f = p.split(":");
      entries.add(new CatalogEntry(f[0], img, f[1], "T " + f[0], ""));
      vectors.add(at(Double.parseDouble(f[2])));
    }
    IndexReport r = catalog.indexVectors(entries, vectors, ProgressListener.NONE);
    assertThat(r.problems()).isEmpty();
  }

  ProductSearcher.Builder other() {
    return ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.OTHER_COMMODITY).filters(FilterPreset.NONE);
  }

  static BufferedImage photo() {
    return Fixtures.canvas(100, 100, Color.WHITE);
  }

  static List<String> ids(RegionResult r) {
    return r.results().stream().map(ProductMatch::id).toList();
  }

  static List<String> ids(List<RemovedMatch> removed) {
    return removed.stream().map(RemovedMatch::id).toList();
  }

  RegionResult searchOne(ProductSearcher s) {
    ProductSearchResult r = s.search(photo(), "q");
    assertThat(r.regions()).hasSize(1);
    return r.regions().get(0);
  }

  @Test
  void withoutFiltersResultsAreTheNearestByRankValueTwoMinusDistance() {
    index("a:cup:0.9", "b:toy:0.6", "c:cup:0.4", "d:toy:0.2");
    RegionResult r = searchOne(other().build());
    assertThat(ids(r)).containsExactly("a", "b", "c", "d");
    assertThat(r.results().get(0).rankValue()).isCloseTo(1.9, within(1e-5));
    assertThat(r.results().get(3).rankValue()).isCloseTo(1.2, within(1e-5));
    assertThat(r.results()).extracting(ProductMatch::rankPosition).containsExactly(1, 2, 3, 4);
    assertThat(r.filters().removedByDistance()).isEmpty();
  }

  @Test
  void theDistanceBoundDropsResultsFartherThanMaxDistance() {
    index("a:cup:0.9", "b:cup:0.6", "c:cup:0.4", "d:cup:0.2");
    // distances 0.1, 0.4, 0.6, 0.8: a bound of 0.5 keeps the first two
    RegionResult r = searchOne(other().maxDistance(0.5).build());
    assertThat(ids(r)).containsExactly("a", "b");
    assertThat(ids(r.filters().removedByDistance())).containsExactlyInAnyOrder("c", "d");
    assertThat(r.filters().maxDistance()).isEqualTo(0.5);
    assertThat(r.filters().similarSetSize()).isEqualTo(2);
    // the calibrated default keeps cosine >= 0.3, i.e. drops d (0.2) only
    RegionResult calibrated = searchOne(ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.OTHER_COMMODITY)
        .categoryOrdering(false).build());
    assertThat(ids(calibrated)).containsExactly("a", "b", "c");
  }

  @Test
  void theRankFilterDropsResultsBelowTheThreshold() {
    index("a:cup:0.9", "b:cup:0.6", "c:cup:0.4", "d:cup:0.2");
    // rank values 1.9, 1.6, 1.4, 1.2: a threshold of 1.5 keeps a and b
    RegionResult r = searchOne(other().rankThreshold(1.5).build());
    assertThat(ids(r)).containsExactly("a", "b");
    assertThat(ids(r.filters().removedByRank())).containsExactlyInAnyOrder("c", "d");
    assertThat(r.filters().rankThreshold()).isEqualTo(1.5);
    // the seed preset's 1.08 keeps cosine >= 0.08: all four
    assertThat(ids(searchOne(other().rankThreshold(ResultFilters.SEED_RANK_THRESHOLD).build()))).hasSize(4);
  }

  @Test
  void theEntropyFilterDropsACategoryHoldingUnderATenthOfTheResults() {
    List<String> products = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      products.add("c" + i + ":cup:" + (0.95 - 0.05 * i));
    }
    products.add("t:toy:0.3");
    index(products.toArray(String[]::new));
    // toy holds 1 of 11 results: H = ln 11 = 2.398 > ln 10, so it is dropped; cup (ln 1.1) stays
    RegionResult r = searchOne(other().top(20).candidates(20).entropyThreshold(ResultFilters.DEFAULT_ENTROPY_THRESHOLD)
        .build());
    assertThat(ids(r)).hasSize(10).doesNotContain("t");
    assertThat(ids(r.filters().removedByEntropy())).containsExactly("t");
    assertThat(r.filters().categoryEntropy().get("toy")).isCloseTo(Math.log(11), within(1e-9));
    assertThat(r.filters().categoryEntropy().get("cup")).isCloseTo(Math.log(1.1), within(1e-9));
    // a threshold above ln 11 keeps the toy
    assertThat(ids(searchOne(other().top(20).candidates(20).entropyThreshold(2.5).build()))).contains("t");
  }

  @Test
  void categoryOrderingPutsTheCategoryWithTheLargerReciprocalRankSumFirst() {
    index("t:toy:0.9", "c1:cup:0.8", "c2:cup:0.7", "c3:cup:0.6");
    // positions: t 1, c1 2, c2 3, c3 4; score(toy) = 1, score(cup) = 1/2 + 1/3 + 1/4 = 13/12 > 1
    RegionResult r = searchOne(other().categoryOrdering(true).build());
    assertThat(ids(r)).containsExactly("c1", "c2", "c3", "t");
    assertThat(r.filters().categoryScores().get("cup")).isCloseTo(13.0 / 12, within(1e-9));
    assertThat(r.filters().categoryScores().get("toy")).isCloseTo(1.0, within(1e-9));
    assertThat(ids(searchOne(other().categoryOrdering(false).build()))).containsExactly("t", "c1", "c2", "c3");
    // the seed preset orders by category (toy holds a quarter: not dropped by its entropy filter)
    assertThat(ids(searchOne(ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.OTHER_COMMODITY)
        .filters(FilterPreset.SEED).build()))).containsExactly("c1", "c2", "c3", "t");
    // the pinned best match is never demoted by the ordering
    assertThat(ids(searchOne(other().categoryOrdering(true).pinBestMatch(true).build())))
        .containsExactly("t", "c1", "c2", "c3");
  }

  @Test
  void theCalibratedDefaultPinsTheBestMatchAgainstTheEntropyFilter() {
    List<String> products = new ArrayList<>();
    products.add("t:toy:0.99");
    for (int i = 0; i < 10; i++) {
      products.add("c" + i + ":cup:" + (0.9 - 0.05 * i));
    }
    index(products.toArray(String[]::new));
    ProductSearcher.Builder calibrated = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.OTHER_COMMODITY)
        .candidates(20).top(20);
    RegionResult pinned = searchOne(calibrated.build());
    assertThat(ids(pinned).get(0)).isEqualTo("t");
    assertThat(pinned.filters().pinned()).containsExactly("t");
    RegionResult seed = searchOne(calibrated.pinBestMatch(false).build());
    assertThat(ids(seed)).doesNotContain("t");
    assertThat(ids(seed.filters().removedByEntropy())).containsExactly("t");
  }

  @Test
  void theBestMatchIsPinnedOnlyWhileItPassesTheRankFilter() {
    index("a:cup:0.9", "b:cup:0.6", "c:toy:0.4");
    RegionResult kept = searchOne(other().pinBestMatch(true).rankThreshold(1.5).build());
    assertThat(ids(kept)).containsExactly("a", "b");
    assertThat(kept.filters().pinned()).containsExactly("a");
    // rank 1.9 < 1.95: the absolute threshold rejects even the best match, which is then no longer pinned
    RegionResult none = searchOne(other().pinBestMatch(true).rankThreshold(1.95).build());
    assertThat(none.results()).isEmpty();
    assertThat(none.filters().pinned()).isEmpty();
  }

  @Test
  void theRequestedPageIsCutFromEnoughCandidates() {
    index("a:cup:0.9", "b:cup:0.8", "c:cup:0.7", "d:cup:0.6", "e:cup:0.5", "f:cup:0.4");
    ProductSearcher s = other().candidates(3).top(3).build();
    // offset 2, limit 3 needs the 5 nearest, though only 3 candidates are asked for per region
    ProductSearchResult r = s.search(photo(), "q", ProductQuery.DEFAULT.page(2, 3));
    assertThat(ids(r.regions().get(0))).containsExactly("c", "d", "e");
    assertThat(r.regions().get(0).filters().offset()).isEqualTo(2);
    // limit 0 means top
    assertThat(ids(other().candidates(5).top(2).build().search(photo(), "q").regions().get(0)))
        .containsExactly("a", "b");
    // the same for a precomputed vector
    assertThat(ids(s.searchVector(Intent.OTHER_COMMODITY, QUERY, ProductQuery.DEFAULT.page(2, 3))))
        .containsExactly("c", "d", "e");
    assertThat(ids(s.searchVector(Intent.OTHER_COMMODITY, QUERY))).containsExactly("a", "b", "c");
    assertThat(s.stats().regionsSearched()).isEqualTo(3);
  }

  @Test
  void searchVectorRunsTheSameFilters() {
    index("a:cup:0.9", "b:cup:0.6", "c:cup:0.4", "d:cup:0.2");
    RegionResult r = other().maxDistance(0.5).build().searchVector(Intent.OTHER_COMMODITY, QUERY);
    assertThat(ids(r)).containsExactly("a", "b");
    assertThat(r.label()).isEqualTo("vector");
    assertThat(r.segment()).isEqualTo(Intent.OTHER_COMMODITY);
  }

  @Test
  void eachApparelRegionIsEmbeddedPaddedByTheConfiguredShareOfItsSize() {
    index("s:apparel/shirt:0.9");
    Box box = new Box(20, 20, 40, 40);
    ProductSearcher.Builder b = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.APPAREL)
        .garmentDetector(boxes(box));
    // default 0.05: 2 pixels each side of a 40-pixel box
    ProductSearchResult r = b.build().search(photo(), "q");
    assertThat(probe.sizes).containsExactly("44x44");
    assertThat(r.regionSource()).isEqualTo("boxes/1");
    assertThat(r.regions().get(0).box()).as("the region is reported unpadded").isEqualTo(box);
    assertThat(ids(r.regions().get(0))).containsExactly("s");
    probe.sizes.clear();
    b.regionPadding(0.25).build().search(photo(), "q");
    assertThat(probe.sizes).containsExactly("60x60");
    probe.sizes.clear();
    b.regionPadding(0).build().search(photo(), "q");
    assertThat(probe.sizes).containsExactly("40x40");
    probe.sizes.clear();
    // padding never leaves the photo: a box at the corner is clamped
    ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.APPAREL).regionPadding(0.5)
        .garmentDetector(boxes(new Box(0, 0, 40, 40))).build().search(photo(), "q");
    assertThat(probe.sizes).containsExactly("60x60");
  }

  @Test
  void otherCommoditiesAreEmbeddedWholeOrCroppedToTheMainObject() {
    index("a:cup:0.9");
    ProductSearcher.Builder b = other().garmentDetector(boxes(new Box(20, 20, 40, 40)));
    ProductSearchResult whole = b.build().search(photo(), "q");
    assertThat(probe.sizes).containsExactly("100x100");
    assertThat(whole.regionSource()).isEqualTo("whole-image");
    probe.sizes.clear();
    ProductSearchResult cropped = b.otherCommodityMainObject(true).build().search(photo(), "q");
    assertThat(probe.sizes).as("the main object, padded like a region").containsExactly("44x44");
    assertThat(cropped.regionSource()).isEqualTo("boxes/1 (main object)");
    assertThat(cropped.regions().get(0).box()).isEqualTo(new Box(20, 20, 40, 40));
    assertThat(cropped.regions().get(0).label()).isEqualTo("object");
    probe.sizes.clear();
    ProductSearchResult none = other().garmentDetector(boxes()).otherCommodityMainObject(true).build()
        .search(photo(), "q");
    assertThat(probe.sizes).containsExactly("100x100");
    assertThat(none.regionSource()).isEqualTo("boxes/1 (main object not found: whole image)");
    assertThat(ids(none.regions().get(0))).containsExactly("a");
  }

  @Test
  void theMainObjectCropDefaultsToWhatTheCatalogWasBuiltWith() {
    ProbeEmbedder own = new ProbeEmbedder();
    try (ProductCatalog cropping = ProductCatalog.builder().inMemory().matcher(Matcher.GLOBAL).cropToMainObject(true)
        .embedder(Intent.APPAREL, own).embedder(Intent.OTHER_COMMODITY, own).open()) {
      ProductSearcher s = ProductSearcher.builder().catalog(cropping).fixedIntent(Intent.OTHER_COMMODITY)
          .garmentDetector(boxes(new Box(20, 20, 40, 40))).build();
      assertThat(s.search(photo(), "q").regionSource()).isEqualTo("boxes/1 (main object)");
      assertThat(own.sizes).containsExactly("44x44");
    }
  }

  @Test
  void theMainObjectIsTheBestRegionUnlessTheUnionVariantIsAsked() {
    index("a:cup:0.9");
    // a big region and a stray blob under a fifth of its evidence (area 100 vs 1600)
    ProductSearcher.Builder b = other().otherCommodityMainObject(true)
        .garmentDetector(boxes(new Box(20, 20, 40, 40), new Box(80, 80, 10, 10)));
    b.build().search(photo(), "q");
    assertThat(probe.sizes).containsExactly("44x44");
    probe.sizes.clear();
    // the union of both: (20,20)-(90,90), 70 wide, padded 3.5 each side
    b.mainObjectUnion(true).build().search(photo(), "q");
    assertThat(probe.sizes).containsExactly("77x77");
  }

  @Test
  void apparelDetectionsAreFilteredByLabelScoreAndSize() {
    index("s:apparel/shirt:0.9");
    ObjectDetector mixed = new ObjectDetector() {
      @Override
      public List<Detection> detect(BufferedImage image) {
        return List.of(new Detection(new Box(0, 0, 50, 50), "shirt", 0.5f),
            new Detection(new Box(50, 50, 30, 30), "hat", 0.9f),
            new Detection(new Box(10, 10, 20, 20), "shirt", 0.49f),
            new Detection(new Box(200, 200, 10, 10), "shirt", 0.9f));
      }

      @Override
      public String id() {
        return "mixed/1";
      }
    };
    ProductSearchResult r = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.APPAREL).garmentDetector(mixed)
        .garmentLabels(List.of("shirt")).minDetectionScore(0.5f).deduplicate(false).build().search(photo(), "q");
    // score 0.5 is at the bound and kept; the hat, the 0.49 shirt and the box outside the photo are not
    assertThat(r.regions()).extracting(RegionResult::box).containsExactly(new Box(0, 0, 50, 50));
    ProductSearchResult all = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.APPAREL)
        .garmentDetector(mixed).deduplicate(false).build().search(photo(), "q");
    assertThat(all.regions()).hasSize(3);
  }

  @Test
  void aProductFoundByTwoRegionsStaysInTheFirstUnlessDeduplicationIsOff() {
    index("s:apparel/shirt:0.9", "u:apparel/shirt:0.8");
    ProductSearcher.Builder b = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.APPAREL)
        .filters(FilterPreset.NONE).garmentDetector(boxes(new Box(0, 0, 40, 40), new Box(50, 50, 40, 40)));
    ProductSearchResult r = b.build().search(photo(), "q");
    assertThat(ids(r.regions().get(0))).containsExactly("s", "u");
    assertThat(ids(r.regions().get(1))).isEmpty();
    assertThat(ids(r.regions().get(1).filters().removedAsDuplicate())).containsExactly("s", "u");
    ProductSearchResult kept = b.deduplicate(false).build().search(photo(), "q");
    assertThat(ids(kept.regions().get(1))).containsExactly("s", "u");
  }

  @Test
  void statsCountPhotosSegmentsRegionsAndBothSegmentSearches() {
    index("s:apparel/shirt:0.9", "a:cup:0.9");
    ProductSearcher s = ProductSearcher.builder().catalog(catalog).withoutGate()
        .garmentDetector(boxes(new Box(0, 0, 40, 40), new Box(50, 50, 40, 40))).build();
    ProductSearchResult r = s.search(photo(), "q");
    assertThat(r.regions()).extracting(RegionResult::segment)
        .containsExactly(Intent.APPAREL, Intent.APPAREL, Intent.OTHER_COMMODITY);
    assertThat(r.regionSource()).isEqualTo("boxes/1 + whole-image");
    assertThat(s.stats()).isEqualTo(new SearchStats(1, 0, 1, 1, 3, 0, 1));
    ProductSearcher one = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.APPAREL)
        .garmentDetector(boxes(new Box(0, 0, 40, 40))).build();
    one.search(photo(), "q");
    one.search(photo(), "q");
    assertThat(one.stats()).isEqualTo(new SearchStats(2, 0, 2, 0, 2, 0, 0));
  }

  @Test
  void aNonCommodityPhotoIsNotEmbeddedAnUnsurePhotoIsSearchedInBothSegments() {
    index("s:apparel/shirt:0.9", "a:cup:0.9");
    ImageClassifier unsure = new ImageClassifier() {
      @Override
      public List<Classification> classify(BufferedImage image) {
        return List.of(new Classification("non-commodity", 0.5f), new Classification("apparel", 0.4f),
            new Classification("other-commodity", 0.1f));
      }

      @Override
      public List<String> labels() {
        return List.of("non-commodity", "apparel", "other-commodity");
      }

      @Override
      public String id() {
        return "unsure";
      }
    };
    // margin 0.1 < default 0.2: searched in both segments though non-commodity leads
    ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(unsure)
        .garmentDetector(boxes(new Box(0, 0, 40, 40))).build();
    ProductSearchResult r = s.search(photo(), "q");
    assertThat(r.searched()).isTrue();
    assertThat(r.regions()).hasSize(2);
    assertThat(s.stats().bothSegments()).isEqualTo(1);
    // margin 0.1 >= 0.1: the gate decides, nothing is embedded
    ProductSearcher sure = ProductSearcher.builder().catalog(catalog).intentClassifier(unsure).gateMargin(0.05).build();
    probe.sizes.clear();
    ProductSearchResult skipped = sure.search(photo(), "q");
    assertThat(skipped.searched()).isFalse();
    assertThat(probe.sizes).isEmpty();
    assertThat(sure.stats()).isEqualTo(new SearchStats(1, 1, 0, 0, 0, 0, 0));
  }

  static ImageClassifier scores(float apparel, float nonCommodity) {
    return new ImageClassifier() {
      @Override
      public List<Classification> classify(BufferedImage image) {
        return List.of(new Classification("apparel", apparel), new Classification("non-commodity", nonCommodity));
      }

      @Override
      public List<String> labels() {
        return List.of("apparel", "non-commodity");
      }

      @Override
      public String id() {
        return "scores";
      }
    };
  }

  @Test
  void aLeadEqualToTheGateMarginIsSureAndASmallerOneSearchesBothSegments() {
    index("s:apparel/shirt:0.9", "a:cup:0.9");
    // apparel 0.75, non-commodity 0.25 (exact in binary): the lead is 0.5
    ProductSearcher.Builder b = ProductSearcher.builder().catalog(catalog).intentClassifier(scores(0.75f, 0.25f))
        .garmentDetector(boxes(new Box(0, 0, 40, 40)));
    ProductSearchResult sure = b.gateMargin(0.5).build().search(photo(), "q");
    assertThat(sure.gate().margin()).isEqualTo(0.5);
    assertThat(sure.gate().uncertain()).isFalse();
    assertThat(sure.gate().segments()).containsExactly(Intent.APPAREL);
    assertThat(sure.regions()).extracting(RegionResult::segment).containsExactly(Intent.APPAREL);
    ProductSearchResult unsure = b.gateMargin(0.6).build().search(photo(), "q");
    assertThat(unsure.gate().uncertain()).isTrue();
    assertThat(unsure.regions()).extracting(RegionResult::segment)
        .containsExactly(Intent.APPAREL, Intent.OTHER_COMMODITY);
  }

  @Test
  void theHybridMatcherAlsoMatchesThePhotoInTheInstanceIndexOncePerSegment() throws Exception {
    try (ProductCatalog hybrid = ProductCatalog.inMemory()) {
      List<CatalogEntry> entries = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        entries.add(new CatalogEntry("p" + i, Fixtures.write(Fixtures.product(40 + i), dir.resolve("h" + i + ".png")),
            "cup", "P" + i, ""));
      }
      hybrid.index(entries, ProgressListener.NONE, io.sightline.core.CancellationToken.NONE);
      BufferedImage query = Fixtures.product(41);
      ProductSearcher s = ProductSearcher.builder().catalog(hybrid).fixedIntent(Intent.OTHER_COMMODITY)
          .imageLoader(io.sightline.core.image.ImageLoader.defaults()).build();
      ProductSearchResult r = s.search(query, "q");
      assertThat(s.stats().instanceSearches()).isEqualTo(1);
      assertThat(r.regions().get(0).results().get(0).id()).isEqualTo("p1");
      assertThat(r.regions().get(0).results().get(0).verified()).isTrue();
      // the same photo from a file, with and without a query
      Path file = Fixtures.write(query, dir.resolve("q.png"));
      assertThat(s.search(file).regions()).isEqualTo(r.regions());
      assertThat(s.search(file, ProductQuery.DEFAULT).regions()).isEqualTo(r.regions());
      // region queries instead of the whole photo: still one instance search for the one region
      ProductSearcher regions = ProductSearcher.builder().catalog(hybrid).fixedIntent(Intent.OTHER_COMMODITY)
          .instanceQueryRegions(true).build();
      assertThat(regions.search(query, "q").regions().get(0).results().get(0).verified()).isTrue();
      // the global matcher never consults the instance index
      ProductSearcher global = ProductSearcher.builder().catalog(hybrid).fixedIntent(Intent.OTHER_COMMODITY)
          .matcher(Matcher.GLOBAL).build();
      ProductSearchResult g = global.search(query, "q");
      assertThat(global.stats().instanceSearches()).isZero();
      assertThat(g.regions().get(0).results()).noneMatch(ProductMatch::verified);
    }
  }

  @Test
  void theBuilderRejectsOutOfRangeOptionsAtTheirBounds() {
    ProductSearcher.Builder b = ProductSearcher.builder();
    b.gateMargin(0).gateMargin(1).regionPadding(0).regionPadding(1).candidates(1).top(1).maxDistance(0).maxDistance(2)
        .entropyThreshold(0.0).entropyThreshold(null).rankThreshold(null).rankThreshold(-1.0);
    assertThatThrownBy(() -> b.gateMargin(-0.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.gateMargin(1.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.gateMargin(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.regionPadding(-0.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.regionPadding(1.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.candidates(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.top(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maxDistance(-0.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maxDistance(2.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.rankThreshold(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.entropyThreshold(-0.01)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.fixedIntent(Intent.NON_COMMODITY)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.fixedIntent(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void buildChecksWhatTheOptionsCannotMeanTogether() {
    assertThatThrownBy(() -> ProductSearcher.builder().catalog(catalog).withoutGate()
        .fixedIntent(Intent.APPAREL).build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exclude each other");
    assertThatThrownBy(() -> ProductSearcher.builder().catalog(catalog).withoutGate().candidates(5).top(6).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("top (6) exceeds candidates (5)");
    assertThat(ProductSearcher.builder().catalog(catalog).withoutGate().candidates(5).top(5).build()).isNotNull();
    assertThatThrownBy(() -> ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.APPAREL)
        .matcher(Matcher.HYBRID).build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("global matcher");
    ProductSearcher global = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.APPAREL)
        .matcher(Matcher.GLOBAL).build();
    assertThat(global.matcher()).isEqualTo(Matcher.GLOBAL);
    assertThat(global.catalog()).isSameAs(catalog);
    assertThat(ProductSearcher.builder().catalog(catalog).withoutGate().build().matcher())
        .as("the catalog's matcher by default").isEqualTo(Matcher.GLOBAL);
    assertThat(ProductSearcher.builder().catalog(catalog).withoutGate().build().detector())
        .isInstanceOf(ForegroundRegionProposer.class);
    ImageClassifier onlyNonCommodity = new ImageClassifier() {
      @Override
      public List<Classification> classify(BufferedImage image) {
        return List.of(new Classification("non-commodity", 1f));
      }

      @Override
      public List<String> labels() {
        return List.of("non-commodity");
      }

      @Override
      public String id() {
        return "one";
      }
    };
    assertThatThrownBy(() -> ProductSearcher.builder().catalog(catalog).intentClassifier(onlyNonCommodity).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("at least one commodity");
  }
}
