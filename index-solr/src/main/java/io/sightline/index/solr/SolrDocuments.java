package io.sightline.index.solr;

import static io.sightline.index.solr.SolrVectorIndex.F_ATTR;
import static io.sightline.index.solr.SolrVectorIndex.F_FLOATS;
import static io.sightline.index.solr.SolrVectorIndex.F_ID;
import static io.sightline.index.solr.SolrVectorIndex.F_KIND;
import static io.sightline.index.solr.SolrVectorIndex.F_VECTOR;
import static io.sightline.index.solr.SolrVectorIndex.KIND_ITEM;

import io.sightline.core.StoreException;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchFilter;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.Vectors;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrInputDocument;

/**
 * The vector documents of one {@link SolrVectorIndex}, both ways: the vector as sent (validated,
 * normalised under {@link Metric#COSINE}), the Solr input document of an item, and key, attributes
 * and exact vector read back out of a returned document; ranks a page of knn candidates. Needs no
 * cluster.
 *
 * @param <K> key type
 */
final class SolrDocuments<K> {
  private final KeyCodec<K> codec;
  private final int dimension;
  private final Metric metric;
  private final String where;

  /**
   * @param codec key codec
   * @param dimension vector length
   * @param metric comparison metric
   * @param where the collection, as error messages name it ({@link SolrMetadata#where})
   */
  SolrDocuments(KeyCodec<K> codec, int dimension, Metric metric, String where) {
    this.codec = codec;
    this.dimension = dimension;
    this.metric = metric;
    this.where = where;
  }

  /** @return the vector to store or search with: a checked copy, unit length under COSINE */
  float[] prepare(float[] v) {
    Vectors.check(v, dimension);
    return metric == Metric.COSINE ? Vectors.normalized(v) : v.clone();
  }

  /** @return the Solr document of one vector ({@code prepared} as returned by {@link #prepare}) */
  SolrInputDocument item(K id, float[] prepared, Map<String, String> attributes) {
    SolrInputDocument doc = new SolrInputDocument();
    doc.setField(F_ID, codec.encode(id));
    doc.setField(F_KIND, KIND_ITEM);
    List<Float> floats = new ArrayList<>(prepared.length);
    for (float f : prepared) {
      floats.add(f);
    }
    doc.setField(F_VECTOR, floats);
    doc.setField(F_FLOATS, Vectors.toBytes(prepared));
    if (attributes != null && !attributes.isEmpty()) {
      doc.setField(F_ATTR, Attributes.encode(attributes));
    }
    return doc;
  }

  /** @return the key of a returned document */
  K key(SolrDocument d) {
    return codec.decode((String) d.getFieldValue(F_ID));
  }

  /** @return the attributes of a returned document (empty when it has none) */
  Map<String, String> attributes(SolrDocument d) {
    return Attributes.decode(d.getFieldValues(F_ATTR));
  }

  /**
   * @return the stored exact vector of a returned document (javabin gives bytes, JSON base64)
   * @throws StoreException when the document has none or it has another dimension
   */
  float[] floats(SolrDocument d) {
    Object v = d.getFirstValue(F_FLOATS);
    byte[] bytes;
    if (v instanceof byte[] b) {
      bytes = b;
    } else if (v instanceof ByteBuffer bb) {
      bytes = new byte[bb.remaining()];
      bb.duplicate().get(bytes);
    } else if (v instanceof String s) {
      bytes = Base64.getDecoder().decode(s);
    } else {
      throw new StoreException(where + ": document " + d.getFieldValue(F_ID) + " has no stored vector");
    }
    float[] f = Vectors.fromBytes(bytes);
    if (f.length != dimension) {
      throw new StoreException(where + ": document " + d.getFieldValue(F_ID) + " holds a " + f.length
          + "-d vector, expected " + dimension);
    }
    return f;
  }

  /**
   * @param docs one page of knn candidates
   * @param query the prepared query vector
   * @param filter kept hits pass it
   * @return the candidates that pass, with distances recomputed from the stored vectors, nearest first
   */
  List<SearchResult<K>> hits(List<SolrDocument> docs, float[] query, SearchFilter<K> filter) {
    List<SearchResult<K>> hits = new ArrayList<>(docs.size());
    for (SolrDocument d : docs) {
      K id = key(d);
      Map<String, String> attrs = attributes(d);
      if (!filter.test(id, attrs)) {
        continue;
      }
      float dist = metric.distance(query, floats(d));
      hits.add(new SearchResult<>(id, dist, metric.similarity(dist), attrs));
    }
    hits.sort(Comparator.comparingDouble(SearchResult::distance));
    return hits;
  }
}
