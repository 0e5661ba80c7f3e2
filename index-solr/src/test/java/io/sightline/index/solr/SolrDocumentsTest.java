package io.sightline.index.solr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.DimensionMismatchException;
import io.sightline.core.InvalidVectorException;
import io.sightline.core.StoreException;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchFilter;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.Vectors;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.SolrInputDocument;
import org.junit.jupiter.api.Test;

/** Vector documents both ways and the ranking of knn candidates, on plain solrj objects. */
class SolrDocumentsTest {
  private static final String WHERE = "Solr collection 'c'";

  private static SolrDocuments<String> docs(Metric metric) {
    return new SolrDocuments<>(KeyCodec.of(String.class), 3, metric, WHERE);
  }

  @Test
  void prepareNormalisesUnderCosineOnly() {
    float[] v = {3, 0, 4};
    assertThat(docs(Metric.COSINE).prepare(v)).containsExactly(0.6f, 0f, 0.8f);
    assertThat(v).containsExactly(3, 0, 4); // input untouched
    for (Metric m : new Metric[] {Metric.L2, Metric.INNER_PRODUCT}) {
      float[] p = docs(m).prepare(v);
      assertThat(p).containsExactly(3, 0, 4).isNotSameAs(v);
      p[0] = 99;
      assertThat(v[0]).isEqualTo(3f); // a copy, not the caller's array
    }
  }

  @Test
  void prepareRefusesWrongDimensionNaNInfinityNullAndZeroUnderCosine() {
    assertThatThrownBy(() -> docs(Metric.L2).prepare(new float[] {1, 2}))
        .isInstanceOfSatisfying(DimensionMismatchException.class, e -> {
          assertThat(e.expected()).isEqualTo(3);
          assertThat(e.actual()).isEqualTo(2);
        });
    assertThatThrownBy(() -> docs(Metric.COSINE).prepare(new float[] {1, 2, 3, 4}))
        .isExactlyInstanceOf(DimensionMismatchException.class);
    assertThatThrownBy(() -> docs(Metric.L2).prepare(new float[] {1, Float.NaN, 3}))
        .isExactlyInstanceOf(InvalidVectorException.class).hasMessageContaining("component 1 is NaN");
    assertThatThrownBy(() -> docs(Metric.INNER_PRODUCT).prepare(new float[] {1, 2, Float.POSITIVE_INFINITY}))
        .isExactlyInstanceOf(InvalidVectorException.class).hasMessageContaining("component 2 is Infinity");
    assertThatThrownBy(() -> docs(Metric.L2).prepare(null)).isExactlyInstanceOf(InvalidVectorException.class);
    assertThatThrownBy(() -> docs(Metric.COSINE).prepare(new float[3]))
        .isExactlyInstanceOf(InvalidVectorException.class).hasMessageContaining("zero vector");
    // a zero vector is fine where nothing divides by its length
    assertThat(docs(Metric.L2).prepare(new float[3])).containsExactly(0, 0, 0);
  }

  @Test
  void itemDocumentHasIdKindVectorFloatsAndAttributes() {
    float[] p = {0.5f, -1.25f, 2f};
    Map<String, String> attrs = new LinkedHashMap<>();
    attrs.put("color", "red");
    attrs.put("a=b", "c");
    SolrInputDocument doc = docs(Metric.L2).item("sku-1", p, attrs);
    assertThat(doc.getFieldNames()).containsExactlyInAnyOrder("id", "sl_kind", "sl_vector", "sl_floats", "sl_attr");
    assertThat(doc.getFieldValue("id")).isEqualTo("k:sku-1");
    assertThat(doc.getFieldValue("sl_kind")).isEqualTo("item");
    assertThat(doc.getFieldValues("sl_vector")).containsExactly(0.5f, -1.25f, 2f);
    assertThat((byte[]) doc.getFieldValue("sl_floats")).isEqualTo(Vectors.toBytes(p));
    assertThat(doc.getFieldValues("sl_attr")).containsExactly("color=red", "a\\=b=c");
  }

  @Test
  void itemDocumentWithoutAttributesHasNoAttributeField() {
    SolrInputDocument empty = docs(Metric.L2).item("a", new float[] {1, 2, 3}, Map.of());
    assertThat(empty.getFieldNames()).containsExactlyInAnyOrder("id", "sl_kind", "sl_vector", "sl_floats");
    SolrInputDocument none = docs(Metric.L2).item("a", new float[] {1, 2, 3}, null);
    assertThat(none.getFieldNames()).containsExactlyInAnyOrder("id", "sl_kind", "sl_vector", "sl_floats");
    assertThat(none.getFieldValue("sl_attr")).isNull();
  }

  @Test
  void itemDocumentEncodesLongKeys() {
    SolrDocuments<Long> longs = new SolrDocuments<>(KeyCodec.of(Long.class), 2, Metric.L2, WHERE);
    assertThat(longs.item(42L, new float[] {1, 2}, Map.of()).getFieldValue("id")).isEqualTo("k:42");
    assertThat(longs.key(stored("k:42", new float[] {1, 2}))).isEqualTo(42L);
  }

  @Test
  void readsKeyAttributesAndFloatsBack() {
    float[] v = {0.1f, 0.2f, -0.3f};
    SolrDocument d = stored("k:x", v, "n=7", "a\\=b=c");
    SolrDocuments<String> docs = docs(Metric.L2);
    assertThat(docs.key(d)).isEqualTo("x");
    assertThat(docs.attributes(d)).isEqualTo(Map.of("n", "7", "a=b", "c"));
    assertThat(docs.floats(d)).containsExactly(0.1f, 0.2f, -0.3f);
    assertThat(docs.attributes(stored("k:y", v))).isEqualTo(Map.of());
  }

  @Test
  void floatsAcceptBytesByteBufferAndBase64() {
    float[] v = {1.5f, -2f, 3.25f};
    byte[] bytes = Vectors.toBytes(v);
    SolrDocument d = new SolrDocument();
    d.setField("id", "k:a");
    d.setField("sl_floats", ByteBuffer.wrap(bytes));
    assertThat(docs(Metric.L2).floats(d)).containsExactly(v);
    // a buffer positioned after a 4-byte header: only the remaining bytes count, the buffer is untouched
    byte[] padded = new byte[bytes.length + 4];
    System.arraycopy(bytes, 0, padded, 4, bytes.length);
    ByteBuffer bb = ByteBuffer.wrap(padded);
    bb.position(4);
    d.setField("sl_floats", bb);
    assertThat(docs(Metric.L2).floats(d)).containsExactly(v);
    assertThat(bb.position()).isEqualTo(4);
    d.setField("sl_floats", Base64.getEncoder().encodeToString(bytes));
    assertThat(docs(Metric.L2).floats(d)).containsExactly(v);
  }

  @Test
  void floatsRefuseAMissingOrWrongSizedVector() {
    SolrDocument none = new SolrDocument();
    none.setField("id", "k:a");
    assertThatThrownBy(() -> docs(Metric.L2).floats(none)).isExactlyInstanceOf(StoreException.class)
        .hasMessage("Solr collection 'c': document k:a has no stored vector");
    SolrDocument number = new SolrDocument();
    number.setField("id", "k:n");
    number.setField("sl_floats", 5);
    assertThatThrownBy(() -> docs(Metric.L2).floats(number)).isExactlyInstanceOf(StoreException.class)
        .hasMessage("Solr collection 'c': document k:n has no stored vector");
    SolrDocument shortOne = stored("k:b", new float[] {1, 2});
    assertThatThrownBy(() -> docs(Metric.L2).floats(shortOne)).isExactlyInstanceOf(StoreException.class)
        .hasMessage("Solr collection 'c': document k:b holds a 2-d vector, expected 3");
    SolrDocument longOne = stored("k:c", new float[] {1, 2, 3, 4});
    assertThatThrownBy(() -> docs(Metric.L2).floats(longOne)).isExactlyInstanceOf(StoreException.class)
        .hasMessage("Solr collection 'c': document k:c holds a 4-d vector, expected 3");
  }

  @Test
  void hitsRecomputeDistancesFilterAndSortNearestFirst() {
    SolrDocumentList page = new SolrDocumentList();
    // Solr's order is not the exact order
    page.add(stored("k:far", new float[] {0, 0, 3}, "color=red"));
    page.add(stored("k:near", new float[] {1, 0, 0}, "color=red"));
    page.add(stored("k:blue", new float[] {0, 0, 0}, "color=blue"));
    page.add(stored("k:mid", new float[] {0, 2, 0}, "color=red"));
    float[] q = {0, 0, 0.5f};
    List<SearchResult<String>> all = docs(Metric.L2).hits(page, q, SearchFilter.all());
    assertThat(all).extracting(SearchResult::id).containsExactly("blue", "near", "mid", "far");
    SearchResult<String> near = all.get(1);
    float d = Metric.L2.distance(q, new float[] {1, 0, 0});
    assertThat(near.distance()).isEqualTo(d);
    assertThat(near.similarity()).isEqualTo(Metric.L2.similarity(d));
    assertThat(near.attributes()).isEqualTo(Map.of("color", "red"));
    assertThat(all.get(3).distance()).isEqualTo(2.5f);

    List<SearchResult<String>> red = docs(Metric.L2).hits(page, q, SearchFilter.attributeEquals("color", "red"));
    assertThat(red).extracting(SearchResult::id).containsExactly("near", "mid", "far");
    // the filter sees the decoded key too
    List<SearchResult<String>> byKey = docs(Metric.L2).hits(page, q, (id, a) -> id.startsWith("m"));
    assertThat(byKey).extracting(SearchResult::id).containsExactly("mid");
    assertThat(docs(Metric.L2).hits(new SolrDocumentList(), q, SearchFilter.all())).isEmpty();
  }

  @Test
  void hitsUseTheIndexMetric() {
    SolrDocumentList page = new SolrDocumentList();
    page.add(stored("k:a", new float[] {0.6f, 0.8f, 0}));
    page.add(stored("k:b", new float[] {1, 0, 0}));
    float[] q = {1, 0, 0};
    List<SearchResult<String>> hits = docs(Metric.COSINE).hits(page, q, SearchFilter.all());
    assertThat(hits).extracting(SearchResult::id).containsExactly("b", "a");
    assertThat(hits.get(0).distance()).isEqualTo(0f);
    assertThat(hits.get(0).similarity()).isEqualTo(1f);
    assertThat(hits.get(1).distance()).isCloseTo(0.4f, org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(hits.get(1).similarity()).isCloseTo(0.6f, org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void hitsFailOnACandidateWithoutStoredVector() {
    SolrDocument broken = new SolrDocument();
    broken.setField("id", "k:z");
    List<SolrDocument> page = new ArrayList<>(List.of(broken));
    assertThatThrownBy(() -> docs(Metric.L2).hits(page, new float[] {1, 2, 3}, SearchFilter.all()))
        .isExactlyInstanceOf(StoreException.class).hasMessageContaining("document k:z has no stored vector");
    // a candidate the filter drops is not read at all
    assertThat(docs(Metric.L2).hits(page, new float[] {1, 2, 3}, (id, a) -> false)).isEmpty();
  }

  static SolrDocument stored(String id, float[] v, String... attrs) {
    SolrDocument d = new SolrDocument();
    d.setField("id", id);
    d.setField("sl_floats", Vectors.toBytes(v));
    for (String a : attrs) {
      d.addField("sl_attr", a);
    }
    return d;
  }
}
