package io.sightline.index.solr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** SolrVectorIndex.Options: defaults, bounds and withers. */
class SolrOptionsTest {

  @Test
  void defaults() {
    SolrVectorIndex.Options o = SolrVectorIndex.Options.defaults();
    assertThat(o.ef()).isEqualTo(100);
    assertThat(o.maxCandidates()).isEqualTo(10_000);
    assertThat(o.commitWithinMs()).isZero();
  }

  @Test
  void boundsAreInclusive() {
    SolrVectorIndex.Options o = new SolrVectorIndex.Options(1, 1, 0);
    assertThat(o).isEqualTo(new SolrVectorIndex.Options(1, 1, 0));
    for (int[] bad : new int[][] {{0, 1, 0}, {1, 0, 0}, {1, 1, -1}, {-5, 10, 0}}) {
      assertThatThrownBy(() -> new SolrVectorIndex.Options(bad[0], bad[1], bad[2]))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("ef and maxCandidates >= 1, commitWithinMs >= 0 required");
    }
  }

  @Test
  void withersChangeOneSettingAndValidate() {
    SolrVectorIndex.Options o = new SolrVectorIndex.Options(50, 500, 0);
    assertThat(o.withEf(7)).isEqualTo(new SolrVectorIndex.Options(7, 500, 0));
    assertThat(o.commitWithin(250)).isEqualTo(new SolrVectorIndex.Options(50, 500, 250));
    assertThat(o.withEf(7).commitWithin(3)).isEqualTo(new SolrVectorIndex.Options(7, 500, 3));
    assertThatThrownBy(() -> o.withEf(0)).isExactlyInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> o.commitWithin(-1)).isExactlyInstanceOf(IllegalArgumentException.class);
  }
}
