package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.CancellationToken;
import io.sightline.core.ProgressListener;
import io.sightline.core.detect.Box;
import io.sightline.core.detect.Detection;
import io.sightline.core.detect.ObjectDetector;
import io.sightline.core.instance.Matcher;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate as a score (margin, off, fixed intent) and de-duplication across regions. */
class GateAndRegionsTest {
  @TempDir
  static Path dir;
  static ProductCatalog catalog;

  @BeforeAll
  static void build() throws Exception {
    StringBuilder csv = new StringBuilder("id,image,category,title,link\n");
    for (int s = 0; s < 4; s++) {
      Fixtures.write(Fixtures.garment(0, 10 + s), dir.resolve("img/g" + s + ".png"));
      csv.append("g").append(s).append(",img/g").append(s).append(".png,apparel/shirt,,\n");
      Fixtures.write(Fixtures.product(700 + s), dir.resolve("img/p" + s + ".png"));
      csv.append("p").append(s).append(",img/p").append(s).append(".png,cup,,\n");
    }
    catalog = ProductCatalog.builder().directory(dir.resolve("db")).matcher(Matcher.GLOBAL).open();
    IndexReport r = catalog.index(Files.writeString(dir.resolve("catalog.csv"), csv), ProgressListener.NONE,
        CancellationToken.NONE);
    assertThat(r.problems()).isEmpty();
  }

  @AfterAll
  static void close() {
    catalog.close();
  }

  static KnownIntentClassifier says(Intent intent, float p) {
    return new KnownIntentClassifier("says-" + intent + "-" + p, p, img -> intent);
  }

  @Test
  void unsureGateSearchesBothSegmentsSureGateSkips() {
    BufferedImage cup = Fixtures.product(701);
    // top 0.45 vs 0.275: margin 0.175 < 0.2, so both segments are searched although non-commodity leads
    ProductSearcher unsure = ProductSearcher.builder().catalog(catalog).intentClassifier(says(Intent.NON_COMMODITY, 0.45f))
        .build();
    ProductSearchResult r = unsure.search(cup, "cup");
    assertThat(r.searched()).isTrue();
    assertThat(r.intent()).isEqualTo(Intent.NON_COMMODITY);
    assertThat(r.gate().uncertain()).isTrue();
    assertThat(r.gate().margin()).isCloseTo(0.175, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(r.gate().segments()).containsExactly(Intent.APPAREL, Intent.OTHER_COMMODITY);
    assertThat(r.regions()).extracting(RegionResult::segment).contains(Intent.APPAREL, Intent.OTHER_COMMODITY);
    RegionResult other = r.regions().stream().filter(g -> g.segment() == Intent.OTHER_COMMODITY).findFirst().orElseThrow();
    assertThat(other.results().get(0).id()).isEqualTo("p1");
    assertThat(unsure.stats().bothSegments()).isEqualTo(1);

    // the same scores with margin 0: the seed's switch, skipped
    ProductSearcher sw = ProductSearcher.builder().catalog(catalog).intentClassifier(says(Intent.NON_COMMODITY, 0.45f))
        .gateMargin(0).build();
    assertThat(sw.search(cup, "cup").searched()).isFalse();
    // a sure commodity answer searches its segment only
    ProductSearcher sure = ProductSearcher.builder().catalog(catalog).intentClassifier(says(Intent.OTHER_COMMODITY, 0.9f))
        .build();
    ProductSearchResult s = sure.search(cup, "cup");
    assertThat(s.gate().uncertain()).isFalse();
    assertThat(s.gate().segments()).containsExactly(Intent.OTHER_COMMODITY);
    assertThat(s.regions()).extracting(RegionResult::segment).containsOnly(Intent.OTHER_COMMODITY);
  }

  @Test
  void gateOffAndFixedIntentNeedNoClassifier() {
    BufferedImage shirt = Fixtures.garment(0, 12);
    ProductSearcher off = ProductSearcher.builder().catalog(catalog).withoutGate().build();
    ProductSearchResult r = off.search(shirt, "shirt");
    assertThat(r.searched()).isTrue();
    assertThat(r.intent()).isNull();
    assertThat(r.isProduct()).isTrue();
    assertThat(r.intentScores()).isEmpty();
    assertThat(r.gate().mode()).isEqualTo(GateDecision.Mode.OFF);
    assertThat(r.regions()).extracting(RegionResult::segment).contains(Intent.APPAREL, Intent.OTHER_COMMODITY);

    ProductSearcher fixed = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.APPAREL).build();
    ProductSearchResult f = fixed.search(shirt, "shirt");
    assertThat(f.intent()).isEqualTo(Intent.APPAREL);
    assertThat(f.gate().mode()).isEqualTo(GateDecision.Mode.FIXED);
    assertThat(f.regions()).extracting(RegionResult::segment).containsOnly(Intent.APPAREL);
    assertThat(f.regions().get(0).results().get(0).id()).isEqualTo("g2");

    assertThatThrownBy(() -> ProductSearcher.builder().catalog(catalog).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("withoutGate()");
    assertThatThrownBy(() -> ProductSearcher.builder().catalog(catalog).withoutGate().fixedIntent(Intent.APPAREL).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("exclude each other");
    assertThatThrownBy(() -> ProductSearcher.builder().fixedIntent(Intent.NON_COMMODITY))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProductSearcher.builder().gateMargin(1.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aProductFoundByTwoRegionsStaysInTheBetterOne() {
    BufferedImage shirt = Fixtures.garment(0, 11);
    int w = shirt.getWidth();
    int h = shirt.getHeight();
    ObjectDetector twice = new ObjectDetector() {
      @Override
      public List<Detection> detect(BufferedImage image) {
        // the same garment proposed twice: a tight box and a slightly shifted one
        return List.of(new Detection(new Box(0, 0, w, h), "a", 0.9f),
            new Detection(new Box(w * 0.1, h * 0.1, w * 0.9, h * 0.9), "b", 0.8f));
      }

      @Override
      public String id() {
        return "twice/1";
      }
    };
    ProductSearcher dedupe = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.APPAREL).garmentDetector(twice)
        .filters(FilterPreset.NONE).build();
    ProductSearchResult r = dedupe.search(shirt, "shirt");
    assertThat(r.regions()).hasSize(2);
    List<String> a = r.regions().get(0).results().stream().map(ProductMatch::id).toList();
    List<String> b = r.regions().get(1).results().stream().map(ProductMatch::id).toList();
    assertThat(b).allSatisfy(id -> assertThat(a).doesNotContain(id));
    assertThat(a).contains("g1"); // the exact product, best in the tight region
    int dupes = r.regions().get(0).filters().removedAsDuplicate().size()
        + r.regions().get(1).filters().removedAsDuplicate().size();
    assertThat(dupes).isEqualTo(4); // each of the 4 garments was found by both regions
    assertThat(r.regions().get(1).filters().removedAsDuplicate()).extracting(RemovedMatch::id).contains("g1");
    assertThat(r.regions().get(1).filters().removedAsDuplicate().stream().filter(m -> m.id().equals("g1")).findFirst()
        .orElseThrow().reason()).startsWith("also found in region 0 (a at [0,0,");

    ProductSearcher keep = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.APPAREL).garmentDetector(twice)
        .filters(FilterPreset.NONE).deduplicate(false).build();
    ProductSearchResult k = keep.search(shirt, "shirt");
    assertThat(k.regions().get(1).results()).extracting(ProductMatch::id).contains("g1");
    assertThat(k.regions().get(1).filters().removedAsDuplicate()).isEmpty();
  }

  @Test
  void mainObjectCropIsTheBestRegionNotTheUnionWithAStrayBlob() {
    BufferedImage cup = Fixtures.product(702);
    Box object = new Box(10, 10, cup.getWidth() * 0.6, cup.getHeight() * 0.6);
    Box blob = new Box(cup.getWidth() - 12, cup.getHeight() - 12, 10, 10);
    ObjectDetector withBlob = new ObjectDetector() {
      @Override
      public List<Detection> detect(BufferedImage image) {
        return List.of(new Detection(blob, "region", 1f), new Detection(object, "region", 0.7f));
      }

      @Override
      public String id() {
        return "blob/1";
      }
    };
    ProductSearcher.Builder b = ProductSearcher.builder().catalog(catalog).fixedIntent(Intent.OTHER_COMMODITY)
        .garmentDetector(withBlob).otherCommodityMainObject(true);
    ProductSearchResult best = b.build().search(cup, "cup");
    assertThat(best.regionSource()).isEqualTo("blob/1 (main object)");
    assertThat(best.regions()).singleElement().satisfies(g -> assertThat(g.box()).isEqualTo(object));
    ProductSearchResult union = SearcherVariants.mainObjectUnion(b).build().search(cup, "cup");
    assertThat(union.regions().get(0).box()).isEqualTo(object.union(blob));
  }

  @Test
  void mainObjectKeepsThePartsOfADrawingTogether() {
    Box part1 = new Box(10, 10, 60, 60);
    Box part2 = new Box(80, 20, 40, 50); // 2000 px against 3600: over a fifth, so it joins
    Box blob = new Box(150, 150, 8, 8);
    Box main = MainObject.box(List.of(new Detection(part1, "region", 1f), new Detection(part2, "region", 1f),
        new Detection(blob, "region", 1f)), 160, 160, false);
    assertThat(main).isEqualTo(part1.union(part2));
  }
}
