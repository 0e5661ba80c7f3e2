package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.ImageDecodeException;
import io.sightline.core.ProgressListener;
import io.sightline.core.classify.Classification;
import io.sightline.core.classify.ImageClassifier;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.embed.GlobalDescriptorEmbedder;
import io.sightline.core.embed.ImageEmbedder;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProductSearcherTest {
  @TempDir
  static Path dir;
  static ProductCatalog catalog;
  static final AtomicInteger EMBEDS = new AtomicInteger();

  /** Counts calls so the test can prove the gate skips feature extraction. */
  static final class CountingEmbedder implements ImageEmbedder {
    final GlobalDescriptorEmbedder e = new GlobalDescriptorEmbedder();

    @Override
    public float[] embed(BufferedImage image) {
      EMBEDS.incrementAndGet();
      return e.embed(image);
    }

    @Override
    public int dimension() {
      return e.dimension();
    }

    @Override
    public String id() {
      return e.id();
    }
  }

  /** A classifier test double that always answers one label. */
  static ImageClassifier always(Intent intent) {
    return new KnownIntentClassifier("always-" + intent, 0.9f, image -> intent);
  }

  @BeforeAll
  static void buildCatalog() throws Exception {
    StringBuilder csv = new StringBuilder("id,image,category,title,link\n");
    String[] kinds = {"apparel/shirt", "apparel/trousers", "apparel/shoes"};
    for (int k = 0; k < 3; k++) {
      for (int s = 0; s < 6; s++) {
        String id = "g" + k + "-" + s;
        Fixtures.write(Fixtures.garment(k, 100 * k + s), dir.resolve("img/" + id + ".png"));
        csv.append(id).append(",img/").append(id).append(".png,").append(kinds[k]).append(",Garment ")
            .append(id).append(",https://shop.example/").append(id).append('\n');
      }
    }
    String[] cats = {"cup", "beverage", "toy"};
    for (int p = 0; p < 24; p++) {
      String id = "p" + p;
      Fixtures.write(Fixtures.product(500 + p), dir.resolve("img/" + id + ".png"));
      csv.append(id).append(",img/").append(id).append(".png,").append(cats[p % 3]).append(",Product ")
          .append(id).append(",\n");
    }
    Path file = Files.writeString(dir.resolve("catalog.csv"), csv);
    catalog = ProductCatalog.builder().directory(dir.resolve("db"))
        .embedder(Intent.APPAREL, new CountingEmbedder()).embedder(Intent.OTHER_COMMODITY, new CountingEmbedder())
        .open();
    IndexReport r = catalog.index(file, ProgressListener.NONE, CancellationToken.NONE);
    assertThat(r.problems()).isEmpty();
  }

  @AfterAll
  static void close() {
    catalog.close();
  }

  @Test
  void nonCommodityPhotoIsNotSearchedAndIsCounted() {
    ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(always(Intent.NON_COMMODITY)).build();
    int before = EMBEDS.get();
    ProductSearchResult r = s.search(Fixtures.scene(1), "scene");
    assertThat(EMBEDS.get()).isEqualTo(before);
    assertThat(r.searched()).isFalse();
    assertThat(r.isProduct()).isFalse();
    assertThat(r.regions()).isEmpty();
    assertThat(r.regionSource()).isEqualTo("none");
    assertThat(r.message()).contains("not a product");
    assertThat(s.stats()).isEqualTo(new SearchStats(1, 1, 0, 0, 0));
    assertThat(s.stats().skippedShare()).isEqualTo(1.0);
  }

  @Test
  void outfitPhotoFindsEveryGarmentSeparately() throws Exception {
    ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(always(Intent.APPAREL)).build();
    BufferedImage outfit = Fixtures.outfit(new Color(225, 228, 232), Fixtures.garment(0, 3), Fixtures.garment(1, 104),
        Fixtures.garment(2, 205));
    ProductSearchResult r = s.search(outfit, "outfit");
    assertThat(r.searched()).isTrue();
    assertThat(r.intent()).isEqualTo(Intent.APPAREL);
    assertThat(r.regionSource()).isEqualTo(ForegroundRegionProposer.ID);
    assertThat(r.regions()).hasSize(3);
    List<String> tops = r.regions().stream().sorted(java.util.Comparator.comparingDouble(x -> x.box().x()))
        .map(x -> x.results().get(0).id()).toList();
    assertThat(tops).containsExactly("g0-3", "g1-4", "g2-5");
    RegionResult first = r.regions().get(0);
    assertThat(first.segment()).isEqualTo(Intent.APPAREL);
    assertThat(first.results().get(0).title()).startsWith("Garment");
    assertThat(first.results().get(0).link()).startsWith("https://shop.example/");
    assertThat(first.results().get(0).rankValue()).isGreaterThan(1.9);
    assertThat(first.results()).allSatisfy(m -> assertThat(m.category()).startsWith("apparel/"));
    assertThat(s.stats().regionsSearched()).isEqualTo(3);
  }

  @Test
  void pluggedDetectorIsUsedAndNamedAndEmptyDetectionFallsBackToWholeImage() {
    BufferedImage shirt = Fixtures.garment(0, 2);
    ObjectDetector fixed = new ObjectDetector() {
      @Override
      public List<Detection> detect(BufferedImage image) {
        return List.of(new Detection(new Box(0, 0, image.getWidth(), image.getHeight()), "shirt", 0.8f),
            new Detection(new Box(0, 0, 10, 10), "hat", 0.9f), new Detection(new Box(5, 5, 20, 20), "shirt", 0.1f));
      }

      @Override
      public String id() {
        return "test-detector/1";
      }
    };
    ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(always(Intent.APPAREL))
        .garmentDetector(fixed).garmentLabels(List.of("shirt")).minDetectionScore(0.5f).build();
    ProductSearchResult r = s.search(shirt, "shirt");
    assertThat(r.regionSource()).isEqualTo("test-detector/1");
    assertThat(r.regions()).singleElement().satisfies(g -> {
      assertThat(g.label()).isEqualTo("shirt");
      assertThat(g.results().get(0).id()).isEqualTo("g0-2");
    });
    ProductSearcher blank = ProductSearcher.builder().catalog(catalog).intentClassifier(always(Intent.APPAREL)).build();
    ProductSearchResult w = blank.search(Fixtures.canvas(100, 100, Color.WHITE), "white");
    assertThat(w.regionSource()).endsWith("(no region found: whole image)");
    assertThat(w.regions()).hasSize(1);
  }

  @Test
  void otherCommoditySearchesTheWholeImageWithFiltersTraced() {
    ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(always(Intent.OTHER_COMMODITY))
        .candidates(20).top(20).rankThreshold(1.5).entropyThreshold(ResultFilters.DEFAULT_ENTROPY_THRESHOLD).build();
    ProductSearchResult r = s.search(Fixtures.product(507), "p7");
    assertThat(r.regionSource()).isEqualTo("whole-image");
    RegionResult region = r.regions().get(0);
    assertThat(region.segment()).isEqualTo(Intent.OTHER_COMMODITY);
    // claim 7 may put another category first; the exact match holds rank position 1 and leads its category
    ProductMatch exact = region.results().stream().filter(m -> m.id().equals("p7")).findFirst().orElseThrow();
    assertThat(exact.rankPosition()).isEqualTo(1);
    assertThat(region.results().stream().filter(m -> m.category().equals(exact.category())).findFirst())
        .get().isEqualTo(exact);
    assertThat(region.results()).hasSizeLessThanOrEqualTo(20)
        .allSatisfy(m -> assertThat(m.rankValue()).isGreaterThanOrEqualTo(1.5));
    FilterTrace t = region.filters();
    assertThat(t.candidates()).isEqualTo(20);
    assertThat(t.rankThreshold()).isEqualTo(1.5);
    assertThat(t.removedByRank()).allSatisfy(m -> assertThat(m.rankValue()).isLessThan(1.5));
    assertThat(t.similarSetSize() - t.removedByRank().size() - t.removedByEntropy().size())
        .isGreaterThanOrEqualTo(region.results().size());
    assertThat(r.regions().get(0).results()).allSatisfy(m -> assertThat(m.category()).isIn("cup", "beverage", "toy"));

    ProductSearcher plain = ProductSearcher.builder().catalog(catalog).intentClassifier(always(Intent.OTHER_COMMODITY))
        .rankThreshold(null).entropyThreshold(null).categoryOrdering(false).top(10).build();
    RegionResult p = plain.search(Fixtures.product(507), "p7").regions().get(0);
    assertThat(p.results()).hasSize(10);
    assertThat(p.results().get(0).id()).isEqualTo("p7");
    assertThat(p.filters().rankThreshold()).isNull();
    assertThat(p.filters().removedByRank()).isEmpty();
    for (int i = 1; i < p.results().size(); i++) {
      assertThat(p.results().get(i).rankValue()).isLessThanOrEqualTo(p.results().get(i - 1).rankValue());
      assertThat(p.results().get(i).rankPosition()).isEqualTo(i + 1);
    }
  }

  @Test
  void trainedIntentModelGatesAMixedStream() {
    List<BufferedImage> images = new ArrayList<>();
    List<Intent> labels = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      images.add(Fixtures.scene(i));
      labels.add(Intent.NON_COMMODITY);
      images.add(Fixtures.outfit(Color.WHITE, Fixtures.garment(i % 3, 900 + i)));
      labels.add(Intent.APPAREL);
      images.add(Fixtures.product(900 + i));
      labels.add(Intent.OTHER_COMMODITY);
    }
    EmbeddingIntentClassifier model = EmbeddingIntentClassifier.trainer(new GlobalDescriptorEmbedder())
        .trainImages(images, labels, ProgressListener.NONE, CancellationToken.NONE);
    ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(model).categoryOrdering(false).build();
    assertThat(s.search(Fixtures.scene(77), "s").searched()).isFalse();
    ProductSearchResult p = s.search(Fixtures.product(507), "p");
    assertThat(p.intent()).isEqualTo(Intent.OTHER_COMMODITY);
    assertThat(p.regions().get(0).results().get(0).id()).isEqualTo("p7");
    assertThat(s.stats().skipped()).isEqualTo(1);
    assertThat(s.stats().queries()).isEqualTo(2);
  }

  @Test
  void concurrentSearchesGiveTheSameAnswersAsSequentialOnes() throws Exception {
    ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(always(Intent.APPAREL)).build();
    List<BufferedImage> queries = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      queries.add(Fixtures.outfit(new Color(230, 230, 230), Fixtures.garment(i % 3, 100 * (i % 3) + i % 6),
          Fixtures.garment((i + 1) % 3, 100 * ((i + 1) % 3) + (i + 2) % 6)));
    }
    List<ProductSearchResult> expected = new ArrayList<>();
    for (BufferedImage q : queries) {
      expected.add(s.search(q, "q"));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<ProductSearchResult>> futures = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (BufferedImage q : queries) {
          futures.add(pool.submit(() -> s.search(q, "q")));
        }
      }
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get()).isEqualTo(expected.get(i % queries.size()));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(s.stats().queries()).isEqualTo(32);
  }

  @Test
  void searchesEncodedBytes() {
    ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(always(Intent.OTHER_COMMODITY))
        .categoryOrdering(false).build();
    byte[] png = io.sightline.core.image.Distortions.jpegBytes(Fixtures.product(507), 0.9f);
    assertThat(s.search(png, "upload").regions().get(0).results().get(0).id()).isEqualTo("p7");
    assertThatThrownBy(() -> s.search(new byte[] {1, 2, 3}, "junk")).isInstanceOf(ImageDecodeException.class);
  }

  @Test
  void badInputAndMissingPartsFailClearly() throws Exception {
    Path notImage = Files.writeString(dir.resolve("query.jpg"), "hello");
    ProductSearcher s = ProductSearcher.builder().catalog(catalog).intentClassifier(always(Intent.APPAREL)).build();
    assertThatThrownBy(() -> s.search(notImage)).isInstanceOf(ImageDecodeException.class)
        .hasMessageContaining("query.jpg");
    assertThatThrownBy(() -> ProductSearcher.builder().intentClassifier(always(Intent.APPAREL)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("catalog");
    assertThatThrownBy(() -> ProductSearcher.builder().catalog(catalog).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("intentClassifier");
    ImageClassifier onnxLike = new ImageClassifier() {
      @Override
      public List<Classification> classify(BufferedImage image) {
        return List.of(new Classification("clothing", 0.7f), new Classification("background", 0.3f));
      }

      @Override
      public List<String> labels() {
        return List.of("clothing", "background");
      }

      @Override
      public String id() {
        return "onnx-like";
      }
    };
    assertThatThrownBy(() -> ProductSearcher.builder().catalog(catalog).intentClassifier(onnxLike).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("clothing");
    ProductSearcher mapped = ProductSearcher.builder().catalog(catalog).intentClassifier(onnxLike)
        .intentLabel("clothing", Intent.APPAREL).intentLabel("background", Intent.NON_COMMODITY).build();
    assertThat(mapped.search(Fixtures.garment(1, 101), "t").intent()).isEqualTo(Intent.APPAREL);
  }
}
