package io.sightline.describer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.instance.InstanceMatch;
import io.sightline.core.instance.Matcher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * How instance and global candidates are fused ({@link Matcher}, {@link ReferenceMatch#similarity()}):
 * LOCAL keeps the verified instance matches with their calibrated score; HYBRID gives a verified
 * match max(cosine, score) and then appends the global hits it did not verify, with their cosine;
 * verified first, each part by similarity, at most top-M.
 */
class FuseRulesTest {
  private static final ToDoubleFunction<String> NO_COSINE = id -> Double.NaN;

  private static InstanceMatch im(String id, double score, boolean verified, int inliers) {
    return new InstanceMatch(id, score, verified, inliers, inliers * 2, 0.1, null, 1, 0, null);
  }

  private static String show(ReferenceInstances.Hit h) {
    return h.imageKey() + " " + h.similarity() + " " + h.instanceScore() + " " + h.inliers() + " " + h.verified();
  }

  private static List<String> fuse(Matcher m, List<InstanceMatch> inst, Map<String, Double> global,
      ToDoubleFunction<String> cosine, int top) {
    return ReferenceInstances.fuse(m, inst, global, cosine, top).stream().map(FuseRulesTest::show).toList();
  }

  @Test
  void localKeepsVerifiedMatchesByScoreThenInliers() {
    List<InstanceMatch> inst = List.of(im("a", 0.7, true, 20), im("b", 0.9, true, 15), im("c", 0.95, false, 9),
        im("d", 0.7, true, 40));
    Map<String, Double> global = Map.of("e", 0.99);
    assertThat(fuse(Matcher.LOCAL, inst, global, id -> 0.99, 10)).containsExactly(
        "b 0.9 0.9 15 true", "d 0.7 0.7 40 true", "a 0.7 0.7 20 true");
    assertThat(fuse(Matcher.LOCAL, inst, global, NO_COSINE, 2)).containsExactly("b 0.9 0.9 15 true",
        "d 0.7 0.7 40 true");
    assertThat(fuse(Matcher.LOCAL, inst, global, NO_COSINE, 3)).hasSize(3);
    assertThat(fuse(Matcher.LOCAL, List.of(), global, NO_COSINE, 3)).isEmpty();
  }

  @Test
  void hybridTakesTheLargerOfCosineAndScoreForVerifiedMatches() {
    Map<String, Double> global = new LinkedHashMap<>();
    global.put("a", 0.95);
    List<InstanceMatch> inst = List.of(im("a", 0.6, true, 20), im("b", 0.8, true, 30), im("c", 0.5, true, 10),
        im("d", 0.9, true, 5));
    // a: cosine from the global hits; b: its cosine below the match threshold, asked for; c: cosine
    // higher than its score; d: no vector (NaN), its score alone
    Map<String, Double> cos = Map.of("b", 0.3, "c", 0.85, "d", Double.NaN);
    List<String> out = fuse(Matcher.HYBRID, inst, global, id -> cos.getOrDefault(id, -5.0), 10);
    assertThat(out).containsExactly("a 0.95 0.6 20 true", "d 0.9 0.9 5 true", "c 0.85 0.5 10 true",
        "b 0.8 0.8 30 true");
  }

  @Test
  void hybridAppendsUnverifiedGlobalHitsInTheirOrderWithAnyInstanceEvidence() {
    Map<String, Double> global = new LinkedHashMap<>();
    global.put("g1", 0.97);
    global.put("v", 0.93);
    global.put("g2", 0.9);
    global.put("g3", 0.85);
    List<InstanceMatch> inst = List.of(im("v", 0.5, true, 12), im("g2", 0.3, false, 6), im("g2", 0.2, false, 4),
        im("x", 0.4, false, 7));
    assertThat(fuse(Matcher.HYBRID, inst, global, NO_COSINE, 10)).containsExactly(
        "v 0.93 0.5 12 true", "g1 0.97 0.0 0 false", "g2 0.9 0.3 6 false", "g3 0.85 0.0 0 false");
    assertThat(fuse(Matcher.HYBRID, inst, global, NO_COSINE, 2)).containsExactly(
        "v 0.93 0.5 12 true", "g1 0.97 0.0 0 false");
    assertThat(fuse(Matcher.HYBRID, List.of(), global, NO_COSINE, 4)).containsExactly(
        "g1 0.97 0.0 0 false", "v 0.93 0.0 0 false", "g2 0.9 0.0 0 false", "g3 0.85 0.0 0 false");
  }

  @Test
  void aStoreOpensWithItsRecordedMatcherOrAnAllowedNewOne() {
    assertThat(ReferenceInstances.resolve(null, true, null, "s")).isEqualTo(Matcher.DEFAULT);
    assertThat(ReferenceInstances.resolve(null, true, Matcher.GLOBAL, "s")).isEqualTo(Matcher.GLOBAL);
    assertThat(ReferenceInstances.resolve(null, false, null, "s")).as("stores older than matchers: global")
        .isEqualTo(Matcher.GLOBAL);
    assertThat(ReferenceInstances.resolve("local", false, null, "s")).isEqualTo(Matcher.LOCAL);
    assertThat(ReferenceInstances.resolve("local", false, Matcher.LOCAL, "s")).isEqualTo(Matcher.LOCAL);
    assertThat(ReferenceInstances.resolve("global", false, Matcher.GLOBAL, "s")).isEqualTo(Matcher.GLOBAL);
    assertThat(ReferenceInstances.resolve("global", false, Matcher.HYBRID, "s")).isEqualTo(Matcher.HYBRID);
    assertThat(ReferenceInstances.resolve("hybrid", false, Matcher.LOCAL, "s")).isEqualTo(Matcher.LOCAL);
    assertThatThrownBy(() -> ReferenceInstances.resolve("hybrid", false, Matcher.GLOBAL, "s"))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("cannot be switched to 'global'");
    assertThatThrownBy(() -> ReferenceInstances.resolve("telepathy", false, null, "s"))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("newer Sightline");
  }
}
