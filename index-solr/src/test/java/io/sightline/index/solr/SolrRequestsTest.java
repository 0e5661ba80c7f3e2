package io.sightline.index.solr;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.core.index.SearchResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.solr.client.solrj.SolrQuery;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.common.params.CursorMarkParams;
import org.junit.jupiter.api.Test;

/** The request side: update requests, the knn query, widening and paging, as plain solrj objects. */
class SolrRequestsTest {
  private static final SolrVectorIndex.Options DEFAULTS = SolrVectorIndex.Options.defaults();

  @Test
  void updateRequestsCarryCommitWithinOnlyWhenAsked() {
    UpdateRequest hard = SolrRequests.update(DEFAULTS);
    assertThat(hard.getCommitWithin()).isEqualTo(-1);
    assertThat(SolrRequests.hardCommit(DEFAULTS)).isTrue();
    UpdateRequest within = SolrRequests.update(DEFAULTS.commitWithin(1500));
    assertThat(within.getCommitWithin()).isEqualTo(1500);
    assertThat(SolrRequests.hardCommit(DEFAULTS.commitWithin(1500))).isFalse();
    UpdateRequest one = SolrRequests.update(DEFAULTS.commitWithin(1));
    assertThat(one.getCommitWithin()).isEqualTo(1);
    assertThat(SolrRequests.hardCommit(DEFAULTS.commitWithin(1))).isFalse();
    // a fresh request each time
    assertThat(SolrRequests.update(DEFAULTS)).isNotSameAs(SolrRequests.update(DEFAULTS));
    assertThat(SolrRequests.update(DEFAULTS).getDocuments()).isNull();
  }

  @Test
  void vectorTextIsTheBracketedCommaList() {
    assertThat(SolrRequests.vectorText(new float[] {1f, -0.5f, 0.25f})).isEqualTo("[1.0,-0.5,0.25]");
    assertThat(SolrRequests.vectorText(new float[] {3e-8f})).isEqualTo("[3.0E-8]");
    assertThat(SolrRequests.vectorText(new float[0])).isEqualTo("[]");
    float[] v = {0.1f, 0.2f, 0.3f};
    // Float.toString keeps every float exact when Solr parses it back
    String[] parts = SolrRequests.vectorText(v).replace("[", "").replace("]", "").split(",");
    for (int i = 0; i < v.length; i++) {
      assertThat(Float.parseFloat(parts[i])).isEqualTo(v[i]);
    }
  }

  @Test
  void knnQueryAsksForFetchCandidatesWithTheStoredFieldsAndFilterQueries() {
    SolrQuery q = SolrRequests.knn("[1.0,2.0]", 40, List.of("{!term f=sl_attr}a=b", "{!term f=sl_attr}c=d"));
    assertThat(q.getQuery()).isEqualTo("{!knn f=sl_vector topK=40}[1.0,2.0]");
    assertThat(q.getRows()).isEqualTo(40);
    assertThat(q.getFields()).isEqualTo("id,sl_floats,sl_attr");
    assertThat(q.getFilterQueries()).containsExactly("{!term f=sl_attr}a=b", "{!term f=sl_attr}c=d");
    SolrQuery plain = SolrRequests.knn("[0.5]", 7, List.of());
    assertThat(plain.getQuery()).isEqualTo("{!knn f=sl_vector topK=7}[0.5]");
    assertThat(plain.getRows()).isEqualTo(7);
    assertThat(plain.getFilterQueries()).isNull();
  }

  @Test
  void firstRoundFetchesMaxOfKAndEf() {
    assertThat(SolrRequests.firstFetch(10, DEFAULTS)).isEqualTo(100);
    assertThat(SolrRequests.firstFetch(100, DEFAULTS)).isEqualTo(100);
    assertThat(SolrRequests.firstFetch(250, DEFAULTS)).isEqualTo(250);
    assertThat(SolrRequests.firstFetch(1, DEFAULTS.withEf(1))).isEqualTo(1);
    assertThat(SolrRequests.firstFetch(3, DEFAULTS.withEf(2))).isEqualTo(3);
  }

  @Test
  void searchEndsWhenKPassTheCollectionIsExhaustedOrMaxCandidatesWereAskedFor() {
    SolrVectorIndex.Options o = new SolrVectorIndex.Options(100, 1000, 0);
    // k passed
    assertThat(SolrRequests.enough(10, 10, 100, 100, o)).isTrue();
    assertThat(SolrRequests.enough(11, 10, 100, 100, o)).isTrue();
    assertThat(SolrRequests.enough(9, 10, 100, 100, o)).isFalse();
    // Solr returned fewer than asked: nothing more to find
    assertThat(SolrRequests.enough(3, 10, 99, 100, o)).isTrue();
    assertThat(SolrRequests.enough(3, 10, 100, 100, o)).isFalse();
    // asked for maxCandidates already
    assertThat(SolrRequests.enough(3, 10, 1000, 1000, o)).isTrue();
    assertThat(SolrRequests.enough(3, 10, 999, 999, o)).isFalse();
    assertThat(SolrRequests.enough(0, 1, 1200, 1200, o)).isTrue();
  }

  @Test
  void widenQuadruplesUpToMaxCandidates() {
    SolrVectorIndex.Options o = new SolrVectorIndex.Options(100, 1000, 0);
    assertThat(SolrRequests.widen(100, o)).isEqualTo(400);
    assertThat(SolrRequests.widen(250, o)).isEqualTo(1000);
    assertThat(SolrRequests.widen(400, o)).isEqualTo(1000);
    assertThat(SolrRequests.widen(1, new SolrVectorIndex.Options(1, 10_000, 0))).isEqualTo(4);
  }

  @Test
  void topCutsToK() {
    List<SearchResult<String>> hits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      hits.add(new SearchResult<>("k" + i, i, 1 - i, Map.of()));
    }
    assertThat(SolrRequests.top(hits, 3)).extracting(SearchResult::id).containsExactly("k0", "k1", "k2");
    assertThat(SolrRequests.top(hits, 5)).isSameAs(hits);
    // k larger than the hits: all of them
    assertThat(SolrRequests.top(hits, 50)).isSameAs(hits).hasSize(5);
    assertThat(SolrRequests.top(hits, 4)).hasSize(4).isNotSameAs(hits);
    assertThat(SolrRequests.top(List.<SearchResult<String>>of(), 10)).isEmpty();
  }

  @Test
  void countQueryCountsItemsOnly() {
    SolrQuery q = SolrRequests.count();
    assertThat(q.getQuery()).isEqualTo("{!term f=sl_kind}item");
    assertThat(q.getRows()).isZero();
    assertThat(SolrVectorIndex.ITEMS_QUERY).isEqualTo("{!term f=sl_kind}item");
  }

  @Test
  void pageQueryPagesItemsByIdWithACursor() {
    SolrQuery q = SolrRequests.page(CursorMarkParams.CURSOR_MARK_START, "id", "sl_floats", "sl_attr");
    assertThat(q.getQuery()).isEqualTo("{!term f=sl_kind}item");
    assertThat(q.getRows()).isEqualTo(1000);
    assertThat(q.getFields()).isEqualTo("id,sl_floats,sl_attr");
    assertThat(q.getSorts()).hasSize(1);
    assertThat(q.getSorts().get(0).getItem()).isEqualTo("id");
    assertThat(q.getSorts().get(0).getOrder()).isEqualTo(SolrQuery.ORDER.asc);
    assertThat(q.get(CursorMarkParams.CURSOR_MARK_PARAM)).isEqualTo("*");
    SolrQuery next = SolrRequests.page("AoE=", "id");
    assertThat(next.get("cursorMark")).isEqualTo("AoE=");
    assertThat(next.getFields()).isEqualTo("id");
  }

  @Test
  void lastPageWhenTheCursorStopsMoving() {
    assertThat(SolrRequests.lastPage("*", null)).isTrue();
    assertThat(SolrRequests.lastPage("AoE=", "AoE=")).isTrue();
    assertThat(SolrRequests.lastPage("AoE=", new String("AoE="))).isTrue();
    assertThat(SolrRequests.lastPage("*", "AoE=")).isFalse();
  }
}
