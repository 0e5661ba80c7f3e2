package io.sightline.commerce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sightline.core.ProgressListener;
import io.sightline.core.detect.Box;
import io.sightline.core.index.SearchResult;
import io.sightline.core.instance.InstanceMatch;
import io.sightline.core.instance.Matcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fusion of a region's global hits with verified instance matches (RegionFilter), checked
 * against hand-computed answers: a verified match scores {@code max(2 - distance, 2 · score)},
 * is exempt from the distance bound and the rank filter, comes first, is re-scored from its
 * stored vector when the global search missed it, and is dropped only by the attribute filter;
 * an unverified candidate lends its weak evidence; across regions a product stays where it is
 * verified, else where its rank value is higher.
 */
class RegionFusionTest {
  static final Box BOX_V = new Box(1, 2, 3, 4);
  static final Box BOX_X = new Box(5, 6, 7, 8);

  @TempDir
  Path dir;
  ProductCatalog catalog;

  @BeforeEach
  void open() throws Exception {
    Path img = Fixtures.write(Fixtures.product(1), dir.resolve("p.png"));
    SearcherWiringTest.ProbeEmbedder probe = new SearcherWiringTest.ProbeEmbedder();
    catalog = ProductCatalog.builder().inMemory().matcher(Matcher.GLOBAL).embedder(Intent.APPAREL, probe)
        .embedder(Intent.OTHER_COMMODITY, probe).open();
    String[][] products = {{"a", "cup", "0.9"}, {"b", "cup", "0.8"}, {"w", "cup", "0.3"}, {"v", "toy", "0.2"},
        {"x", "toy", "0.0"}};
    List<CatalogEntry> entries = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    for (String[] p : products) {
      entries.add(new CatalogEntry(p[0], img, p[1], "T " + p[0], ""));
      vectors.add(SearcherWiringTest.at(Double.parseDouble(p[2])));
    }
    assertThat(catalog.indexVectors(entries, vectors, ProgressListener.NONE).problems()).isEmpty();
  }

  @AfterEach
  void close() {
    catalog.close();
  }

  static InstanceMatch im(String id, double score, boolean verified) {
    return new InstanceMatch(id, score, verified, verified ? 20 : 3, 30, score, null, 1, 0, null);
  }

  static SearchResult<String> hit(String id, double cos) {
    return new SearchResult<>(id, (float) (1 - cos), (float) cos, Map.of());
  }

  /** Instance evidence: v and x verified (scores 0.95, 0.7), w seen unverified (0.2). */
  static InstanceEvidence.Instances evidence() {
    Map<String, InstanceMatch> all = new LinkedHashMap<>();
    all.put("v", im("v", 0.95, true));
    all.put("x", im("x", 0.7, true));
    all.put("w", im("w", 0.2, false));
    return new InstanceEvidence.Instances(all, List.of(all.get("v"), all.get("x")), Map.of("v", BOX_V, "x", BOX_X),
        null);
  }

  static Map<String, InstanceMatch> verifiedHere(InstanceEvidence.Instances inst) {
    Map<String, InstanceMatch> m = new LinkedHashMap<>();
    m.put("v", inst.all().get("v"));
    m.put("x", inst.all().get("x"));
    return m;
  }

  List<SearchResult<String>> hits() {
    return List.of(hit("a", 0.9), hit("b", 0.8), hit("w", 0.3), hit("v", 0.2));
  }

  static List<String> ids(List<ProductMatch> ms) {
    return ms.stream().map(ProductMatch::id).toList();
  }

  @Test
  void verifiedMatchesAreExemptFromTheBoundsAndComeFirst() {
    RegionFilter f = new RegionFilter(catalog, new RegionFilter.Settings(0.5, 1.6,
        ResultFilters.DEFAULT_ENTROPY_THRESHOLD, true, false, true));
    InstanceEvidence.Instances inst = evidence();
    RegionFilter.Ranked r = f.filter(hits(), SearcherWiringTest.QUERY, verifiedHere(inst), inst, BOX_V, "shirt", 0.9f,
        Intent.OTHER_COMMODITY, null);
    // w (distance 0.7) fails the bound; v (0.8) and x are verified: kept; x's rank 1.4 < 1.6 is exempt too
    assertThat(r.trace().removedByDistance()).extracting(RemovedMatch::id).containsExactly("w");
    assertThat(r.trace().removedByRank()).isEmpty();
    // verified first by rank value (v max(1.2, 1.9) = 1.9, x max(1.0, 1.4) = 1.4), then the ordering: cup (a, b)
    assertThat(ids(r.ordered())).containsExactly("v", "x", "a", "b");
    ProductMatch v = r.ordered().get(0);
    assertThat(v.verified()).isTrue();
    assertThat(v.rankValue()).isCloseTo(1.9, within(1e-6));
    assertThat(v.queryRegion()).isEqualTo(BOX_V);
    ProductMatch x = r.ordered().get(1);
    // x was not among the hits: its distance comes from its stored vector, orthogonal to the query
    assertThat(x.distance()).isCloseTo(1.0f, within(1e-5f));
    assertThat(x.rankValue()).isCloseTo(1.4, within(1e-6));
    assertThat(x.queryRegion()).isEqualTo(BOX_X);
    assertThat(r.ordered().get(2).queryRegion()).isNull();
    assertThat(r.trace().candidates()).as("4 hits + 1 verified extra").isEqualTo(5);
    assertThat(r.trace().pinned()).containsExactly("v", "x");
  }

  @Test
  void anUnverifiedCandidateLendsItsEvidenceAndAVerifiedOneIsRankedByItsBetterScore() {
    RegionFilter f = new RegionFilter(catalog, new RegionFilter.Settings(2, null, null, false, false, true));
    InstanceEvidence.Instances inst = evidence();
    RegionFilter.Ranked r = f.filter(hits(), SearcherWiringTest.QUERY, Map.of(), inst, BOX_V, "shirt", 0.9f,
        Intent.OTHER_COMMODITY, null);
    // nothing verified in this region: plain rank values, v from its global distance only
    assertThat(ids(r.ordered())).containsExactly("a", "b", "w", "v");
    ProductMatch w = r.ordered().get(2);
    assertThat(w.verified()).isFalse();
    assertThat(w.instanceScore()).isEqualTo(0.2);
    // v is verified elsewhere in the photo: that evidence is not lent here
    ProductMatch v = r.ordered().get(3);
    assertThat(v.verified()).isFalse();
    assertThat(v.instanceScore()).isNaN();
    assertThat(v.rankValue()).isCloseTo(1.2, within(1e-6));
  }

  @Test
  void theLocalMatcherRanksVerifiedMatchesByTwiceTheirScore() {
    RegionFilter f = new RegionFilter(catalog, new RegionFilter.Settings(0.5, 1.6, null, false, false, true));
    InstanceEvidence.Instances inst = evidence();
    RegionFilter.Ranked r = f.filter(List.of(), null, verifiedHere(inst), inst, BOX_V, "shirt", 0.9f,
        Intent.OTHER_COMMODITY, null);
    assertThat(ids(r.ordered())).containsExactly("v", "x");
    assertThat(r.ordered().get(1).distance()).isNaN();
    assertThat(r.ordered().get(1).rankValue()).isCloseTo(1.4, within(1e-9));
    assertThat(r.trace().candidates()).isEqualTo(2);
  }

  @Test
  void aVerifiedMatchFailingTheAttributeFilterIsListedNotKept() {
    RegionFilter f = new RegionFilter(catalog, new RegionFilter.Settings(2, null, null, false, false, true));
    InstanceEvidence.Instances inst = evidence();
    RegionFilter.Ranked r = f.filter(List.of(), SearcherWiringTest.QUERY, verifiedHere(inst), inst, BOX_V, "shirt",
        0.9f, Intent.OTHER_COMMODITY, ProductFilter.equalTo("category", "cup"));
    assertThat(r.ordered()).isEmpty();
    assertThat(r.trace().removedByAttributes()).extracting(RemovedMatch::id).containsExactly("v", "x");
    assertThat(r.trace().removedByAttributes().get(0).reason()).startsWith("verified, but fails");
    assertThat(r.trace().candidates()).isZero();
  }

  @Test
  void aProductFoundInTwoRegionsStaysWhereItIsVerifiedElseWhereItRanksHigher() {
    RegionFilter f = new RegionFilter(catalog, new RegionFilter.Settings(2, null, null, false, false, true));
    InstanceEvidence.Instances inst = evidence();
    // region 0: v from the global search only (rank 1.2) and a at 0.9 (1.9); region 1: v verified with the lower
    // rank 2 x 0.55 = 1.1 (local: no global distance), a at 0.95 (1.95): verified beats rank, then rank decides
    RegionFilter.Ranked r0 = f.filter(List.of(hit("v", 0.2), hit("a", 0.9)), SearcherWiringTest.QUERY, Map.of(), inst,
        BOX_X, "r0", 1f, Intent.OTHER_COMMODITY, null);
    RegionFilter.Ranked r1 = f.filter(List.of(hit("a", 0.95)), null, Map.of("v", im("v", 0.55, true)), inst, BOX_V,
        "r1", 1f, Intent.OTHER_COMMODITY, null);
    assertThat(find(r1, "v").rankValue()).isLessThan(find(r0, "v").rankValue());
    List<RegionResult> out = f.finish(List.of(r0, r1), 0, 10);
    assertThat(ids(out.get(0).results())).isEmpty();
    assertThat(out.get(0).filters().removedAsDuplicate()).extracting(RemovedMatch::id).containsExactlyInAnyOrder("v", "a");
    assertThat(ids(out.get(1).results())).containsExactly("v", "a");
    // the other way round, the earlier region with the better score keeps it
    List<RegionResult> back = f.finish(List.of(r1, r0), 0, 10);
    assertThat(ids(back.get(0).results())).containsExactly("v", "a");
    assertThat(back.get(1).filters().removedAsDuplicate().get(0).reason()).contains("region 0 (r1 at [1,2,3,4])");
  }

  static ProductMatch find(RegionFilter.Ranked r, String id) {
    return r.ordered().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void cosineDistanceIsOneMinusTheCosineClampedToZeroToTwo() {
    assertThat(RegionFilter.cosineDistance(new float[] {1, 0}, new float[] {2, 0})).isEqualTo(0f);
    assertThat(RegionFilter.cosineDistance(new float[] {1, 0}, new float[] {0, 3})).isEqualTo(1f);
    assertThat(RegionFilter.cosineDistance(new float[] {1, 0}, new float[] {-1, 0})).isEqualTo(2f);
    assertThat(RegionFilter.cosineDistance(new float[] {3, 4}, new float[] {4, 3})).isCloseTo(1 - 24f / 25,
        within(1e-6f));
    assertThat(RegionFilter.cosineDistance(new float[] {0, 0}, new float[] {1, 0})).as("a zero vector: cosine 0")
        .isEqualTo(1f);
    assertThat(RegionFilter.cosineDistance(new float[] {1, 0}, new float[] {0, 0})).isEqualTo(1f);
  }
}
