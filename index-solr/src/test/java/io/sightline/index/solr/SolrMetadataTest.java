package io.sightline.index.solr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.Metric;
import java.util.HashMap;
import java.util.Map;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrInputDocument;
import org.junit.jupiter.api.Test;

/** The schema and metadata checks of open and restore, on plain solrj objects. */
class SolrMetadataTest {
  private static final SolrMetadata META = new SolrMetadata("cat", "emb-v1", 32, Metric.COSINE, String.class);

  @Test
  void whereNamesTheCollection() {
    assertThat(SolrMetadata.where("x")).isEqualTo("Solr collection 'x'");
    assertThat(META.where()).isEqualTo("Solr collection 'cat'");
  }

  @Test
  void metadataDocumentHoldsEverySettingAndIsWrittenOnlyIfAbsent() {
    SolrInputDocument doc = META.document();
    assertThat(doc.getFieldNames()).containsExactlyInAnyOrder("id", "sl_kind", "sl_meta_format", "sl_meta_embedder",
        "sl_meta_dimension", "sl_meta_metric", "sl_meta_keytype", "_version_");
    assertThat(doc.getFieldValue("id")).isEqualTo("sightline:meta");
    assertThat(doc.getFieldValue("sl_kind")).isEqualTo("meta");
    assertThat(doc.getFieldValue("sl_meta_format")).isEqualTo("1");
    assertThat(doc.getFieldValue("sl_meta_embedder")).isEqualTo("emb-v1");
    assertThat(doc.getFieldValue("sl_meta_dimension")).isEqualTo("32");
    assertThat(doc.getFieldValue("sl_meta_metric")).isEqualTo("COSINE");
    assertThat(doc.getFieldValue("sl_meta_keytype")).isEqualTo("java.lang.String");
    assertThat(doc.getFieldValue("_version_")).isEqualTo(-1L);
    assertThat(new SolrMetadata("c", "e", 8, Metric.L2, Long.class).document().getFieldValue("sl_meta_keytype"))
        .isEqualTo("java.lang.Long");
  }

  @Test
  void theDocumentItWritesPassesItsOwnCheck() {
    for (Metric m : Metric.values()) {
      SolrMetadata meta = new SolrMetadata("c", "e", 5, m, Integer.class);
      assertThatCode(() -> meta.check(asStored(meta.document()))).doesNotThrowAnyException();
    }
  }

  @Test
  void checkRefusesAnotherFormatVersion() {
    SolrDocument d = asStored(META.document());
    d.setField("sl_meta_format", "2");
    assertThatThrownBy(() -> META.check(d)).isExactlyInstanceOf(IncompatibleFormatException.class)
        .hasMessage("Solr collection 'cat' has Sightline format 2; this version reads 1");
    d.removeFields("sl_meta_format");
    assertThatThrownBy(() -> META.check(d)).isExactlyInstanceOf(IncompatibleFormatException.class)
        .hasMessage("Solr collection 'cat' has Sightline format null; this version reads 1");
  }

  @Test
  void checkRefusesAnotherEmbedder() {
    SolrDocument d = asStored(new SolrMetadata("cat", "emb-v0", 32, Metric.COSINE, String.class).document());
    assertThatThrownBy(() -> META.check(d)).isExactlyInstanceOf(IncompatibleFormatException.class)
        .hasMessage("Solr collection 'cat' was built with embedder 'emb-v0' but is being opened for embedder "
            + "'emb-v1'; re-index with the new embedder");
  }

  @Test
  void checkRefusesAnotherDimensionOrMetric() {
    SolrDocument dim = asStored(new SolrMetadata("cat", "emb-v1", 64, Metric.COSINE, String.class).document());
    assertThatThrownBy(() -> META.check(dim)).isExactlyInstanceOf(IncompatibleFormatException.class)
        .hasMessage("Solr collection 'cat' holds 64-d COSINE vectors but is being opened for 32-d COSINE");
    SolrDocument met = asStored(new SolrMetadata("cat", "emb-v1", 32, Metric.L2, String.class).document());
    assertThatThrownBy(() -> META.check(met)).isExactlyInstanceOf(IncompatibleFormatException.class)
        .hasMessage("Solr collection 'cat' holds 32-d L2 vectors but is being opened for 32-d COSINE");
  }

  @Test
  void checkRefusesAnotherKeyType() {
    SolrDocument d = asStored(new SolrMetadata("cat", "emb-v1", 32, Metric.COSINE, Long.class).document());
    assertThatThrownBy(() -> META.check(d)).isExactlyInstanceOf(IncompatibleFormatException.class)
        .hasMessage("Solr collection 'cat' has keys of type java.lang.Long but is being opened with java.lang.String");
  }

  @Test
  void checkReadsNonStringValuesByTheirText() {
    SolrDocument d = asStored(META.document());
    d.setField("sl_meta_format", 1);
    d.setField("sl_meta_dimension", 32L);
    assertThatCode(() -> META.check(d)).doesNotThrowAnyException();
  }

  @Test
  void schemaCheckComparesDimensionAndSimilarity() {
    assertThatCode(() -> META.checkSchema(type("32", "dot_product"))).doesNotThrowAnyException();
    assertThatCode(() -> META.checkSchema(type(32, "DOT_PRODUCT"))).doesNotThrowAnyException(); // case-insensitive
    assertThatThrownBy(() -> META.checkSchema(type("33", "dot_product")))
        .isExactlyInstanceOf(IncompatibleFormatException.class)
        .hasMessage("Solr collection 'cat' has vector dimension 33 and similarity dot_product but is being opened "
            + "for dimension 32 and COSINE (similarity dot_product); use a collection made for this embedder");
    assertThatThrownBy(() -> META.checkSchema(type("32", "euclidean")))
        .isExactlyInstanceOf(IncompatibleFormatException.class)
        .hasMessageContaining("has vector dimension 32 and similarity euclidean");
    assertThatThrownBy(() -> META.checkSchema(new HashMap<>()))
        .isExactlyInstanceOf(IncompatibleFormatException.class)
        .hasMessageContaining("has vector dimension null and similarity null");
    SolrMetadata l2 = new SolrMetadata("x", "e", 4, Metric.L2, String.class);
    assertThatCode(() -> l2.checkSchema(type("4", "euclidean"))).doesNotThrowAnyException();
    assertThatThrownBy(() -> l2.checkSchema(type("4", "dot_product")))
        .isExactlyInstanceOf(IncompatibleFormatException.class).hasMessageContaining("(similarity euclidean)");
  }

  @Test
  void errorsForAForeignCollection() {
    RuntimeException cause = new RuntimeException("404");
    IncompatibleFormatException e = META.noVectorFieldType(cause);
    assertThat(e).hasMessage("Solr collection 'cat' has no field type sl_knn_vector: not a Sightline vector "
        + "collection (create it with SolrVectorIndex.createCollection)").hasCause(cause);
    assertThat(META.unmarked(12)).isExactlyInstanceOf(IncompatibleFormatException.class)
        .hasMessage("Solr collection 'cat' holds 12 documents but no Sightline metadata document; it was not "
            + "written by SolrVectorIndex");
  }

  @Test
  void metadataWriteIsRetriedOnlyAfterAConflictAndAtMostThreeTimes() {
    assertThat(SolrMetadata.retryWrite(409, 0)).isTrue();
    assertThat(SolrMetadata.retryWrite(409, 2)).isTrue();
    assertThat(SolrMetadata.retryWrite(409, 3)).isFalse();
    assertThat(SolrMetadata.retryWrite(400, 0)).isFalse();
    assertThat(SolrMetadata.retryWrite(500, 1)).isFalse();
  }

  @Test
  void restoreAcceptsOnlyTheSameEmbedderDimensionAndMetric() {
    assertThatCode(() -> META.checkRestore(new ExactVectorIndex<String>(32, Metric.COSINE, "emb-v1")))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> META.checkRestore(new ExactVectorIndex<String>(32, Metric.COSINE, "emb-v2")))
        .isExactlyInstanceOf(IncompatibleFormatException.class)
        .hasMessage("cannot restore 32-d COSINE vectors of embedder 'emb-v2' into Solr collection 'cat' "
            + "(32-d COSINE, embedder 'emb-v1')");
    assertThatThrownBy(() -> META.checkRestore(new ExactVectorIndex<String>(16, Metric.COSINE, "emb-v1")))
        .isExactlyInstanceOf(IncompatibleFormatException.class).hasMessageStartingWith("cannot restore 16-d COSINE");
    assertThatThrownBy(() -> META.checkRestore(new ExactVectorIndex<String>(32, Metric.L2, "emb-v1")))
        .isExactlyInstanceOf(IncompatibleFormatException.class).hasMessageStartingWith("cannot restore 32-d L2");
  }

  private static Map<String, Object> type(Object dim, String sim) {
    Map<String, Object> m = new HashMap<>();
    m.put("name", "sl_knn_vector");
    m.put("vectorDimension", dim);
    m.put("similarityFunction", sim);
    return m;
  }

  /** The stored form of an input document, as real-time get returns it. */
  static SolrDocument asStored(SolrInputDocument in) {
    SolrDocument d = new SolrDocument();
    for (String f : in.getFieldNames()) {
      d.setField(f, in.getFieldValue(f));
    }
    return d;
  }
}
