package io.sightline.index.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress of a bulk add, the bounds of the index options, what save and close leave behind. */
class LuceneProgressAndOptionsTest {
  @TempDir
  Path tmp;

  @Test
  void aBulkAddReportsProgressAboutAHundredTimesEndingAtTheTotal() {
    Random r = new Random(5);
    List<IndexItem<String>> items = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      float[] v = new float[8];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) r.nextGaussian();
      }
      items.add(new IndexItem<>("k" + i, v, Map.of()));
    }
    List<long[]> calls = new ArrayList<>();
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(tmp.resolve("i"), String.class, 8, Metric.COSINE,
        "e-v1", LuceneVectorIndex.Options.defaults())) {
      index.addAll(items, (task, done, total, msg) -> calls.add(new long[] {done, total}));
      assertThat(index.size()).isEqualTo(250);
    }
    // every 250/100 = 2 items, and the last one
    assertThat(calls).hasSize(125);
    assertThat(calls.get(0)).containsExactly(2, 250);
    assertThat(calls.get(1)).containsExactly(4, 250);
    assertThat(calls.get(calls.size() - 1)).containsExactly(250, 250);
  }

  @Test
  void savingTwiceLeavesOnlyTheIndexAndItsCopy() throws Exception {
    Random r = new Random(6);
    try (LuceneVectorIndex<String> index = LuceneVectorIndex.open(tmp.resolve("idx"), String.class, 8,
        Metric.COSINE, "e-v1", LuceneVectorIndex.Options.defaults())) {
      index.add("a", vector(r));
      index.save(tmp.resolve("copy"));
      index.add("b", vector(r));
      index.save(tmp.resolve("copy")); // the first copy is moved aside, then deleted
    }
    try (var list = java.nio.file.Files.list(tmp)) {
      assertThat(list.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("copy", "idx");
    }
  }

  @Test
  void closingReleasesTheDirectorySoTheSameProcessCanReopenIt() {
    Random r = new Random(7);
    Path dir = tmp.resolve("idx");
    LuceneVectorIndex<String> first = LuceneVectorIndex.open(dir, String.class, 8, Metric.COSINE, "e-v1",
        LuceneVectorIndex.Options.defaults());
    first.add("a", vector(r));
    assertThat(first).hasToString("Lucene vector index at " + dir);
    first.close();
    first.close(); // harmless
    try (LuceneVectorIndex<String> again = LuceneVectorIndex.open(dir, String.class, 8, Metric.COSINE, "e-v1",
        LuceneVectorIndex.Options.defaults())) {
      assertThat(again.size()).isEqualTo(1);
      again.add("b", vector(r));
      assertThat(again.size()).isEqualTo(2);
    }
  }

  private static float[] vector(Random r) {
    float[] v = new float[8];
    for (int j = 0; j < v.length; j++) {
      v[j] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void optionsAcceptTheirSmallestValuesAndRefuseLess() {
    LuceneVectorIndex.Options smallest = new LuceneVectorIndex.Options(2, 1, 1, 1, false);
    assertThat(smallest.m()).isEqualTo(2);
    assertThatThrownBy(() -> new LuceneVectorIndex.Options(1, 1, 1, 1, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LuceneVectorIndex.Options(2, 0, 1, 1, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LuceneVectorIndex.Options(2, 1, 0, 1, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LuceneVectorIndex.Options(2, 1, 1, 0, false))
        .isInstanceOf(IllegalArgumentException.class);
    LuceneVectorIndex.Options q = LuceneVectorIndex.Options.defaults().quantized(true);
    assertThat(q.scalarQuantized()).isTrue();
    assertThat(q).isEqualTo(new LuceneVectorIndex.Options(16, 100, 100, 10_000, true));
    assertThat(q.quantized(false)).isEqualTo(LuceneVectorIndex.Options.defaults());
  }
}
