package io.sightline.index.solr;

import static io.sightline.index.solr.SolrVectorIndex.FORMAT_VERSION;
import static io.sightline.index.solr.SolrVectorIndex.F_ID;
import static io.sightline.index.solr.SolrVectorIndex.F_KIND;
import static io.sightline.index.solr.SolrVectorIndex.KIND_META;
import static io.sightline.index.solr.SolrVectorIndex.META_ID;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.index.Metric;
import io.sightline.core.index.VectorIndex;
import java.util.Map;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrInputDocument;

/**
 * What a {@link SolrVectorIndex} expects of its collection, and the checks {@code open} and
 * {@code restore} make: the schema's vector field type, the metadata document (written by the first
 * {@code open} of an empty collection, compared by every later one) and a restore source. Works on
 * plain solrj objects; needs no cluster.
 *
 * @param collection collection name
 * @param embedderId embedder id
 * @param dimension vector length
 * @param metric comparison metric
 * @param keyType key type
 */
record SolrMetadata(String collection, String embedderId, int dimension, Metric metric, Class<?> keyType) {
  static final String F_FORMAT = "sl_meta_format";
  static final String F_EMBEDDER = "sl_meta_embedder";
  static final String F_DIMENSION = "sl_meta_dimension";
  static final String F_METRIC = "sl_meta_metric";
  static final String F_KEYTYPE = "sl_meta_keytype";
  /** Times a metadata write that lost an only-if-absent race (409) is retried. */
  static final int WRITE_RETRIES = 3;

  /** @return the collection as error messages name it */
  static String where(String collection) {
    return "Solr collection '" + collection + "'";
  }

  /** @return the collection as error messages name it */
  String where() {
    return where(collection);
  }

  /**
   * Checks the attributes of the schema's {@value SolrConfigSet#VECTOR_FIELD_TYPE} field type.
   *
   * @param type the field type's attributes
   * @throws IncompatibleFormatException on another vector dimension or similarity
   */
  void checkSchema(Map<String, Object> type) {
    String schemaDim = String.valueOf(type.get("vectorDimension"));
    String schemaSim = String.valueOf(type.get("similarityFunction"));
    if (!schemaDim.equals(Integer.toString(dimension)) || !schemaSim.equalsIgnoreCase(SolrConfigSet.similarity(metric))) {
      throw new IncompatibleFormatException(where() + " has vector dimension " + schemaDim + " and similarity "
          + schemaSim + " but is being opened for dimension " + dimension + " and " + metric + " (similarity "
          + SolrConfigSet.similarity(metric) + "); use a collection made for this embedder");
    }
  }

  /** @return the error for a collection whose schema lacks the vector field type */
  IncompatibleFormatException noVectorFieldType(Throwable cause) {
    return new IncompatibleFormatException(where() + " has no field type " + SolrConfigSet.VECTOR_FIELD_TYPE
        + ": not a Sightline vector collection (create it with SolrVectorIndex.createCollection)", cause);
  }

  /** @return the error for a non-empty collection without the metadata document */
  IncompatibleFormatException unmarked(long items) {
    return new IncompatibleFormatException(where() + " holds " + items + " documents but no Sightline metadata "
        + "document; it was not written by SolrVectorIndex");
  }

  /** @return the metadata document, to be added only if absent ({@code _version_} -1) */
  SolrInputDocument document() {
    SolrInputDocument doc = new SolrInputDocument();
    doc.setField(F_ID, META_ID);
    doc.setField(F_KIND, KIND_META);
    doc.setField(F_FORMAT, Integer.toString(FORMAT_VERSION));
    doc.setField(F_EMBEDDER, embedderId);
    doc.setField(F_DIMENSION, Integer.toString(dimension));
    doc.setField(F_METRIC, metric.name());
    doc.setField(F_KEYTYPE, keyType.getName());
    doc.setField("_version_", -1L); // only if absent: two processes opening an empty collection agree
    return doc;
  }

  /**
   * @param code HTTP status of the failed metadata write
   * @param attempt attempts made before this one
   * @return whether to read the metadata again and retry: another process wrote it first (409)
   */
  static boolean retryWrite(int code, int attempt) {
    return code == 409 && attempt < WRITE_RETRIES;
  }

  /**
   * Compares a collection's metadata document with this index's settings.
   *
   * @param meta the metadata document
   * @throws IncompatibleFormatException on another format version, embedder, dimension, metric or key type
   */
  void check(SolrDocument meta) {
    String format = str(meta, F_FORMAT);
    if (!Integer.toString(FORMAT_VERSION).equals(format)) {
      throw new IncompatibleFormatException(where() + " has Sightline format " + format + "; this version reads "
          + FORMAT_VERSION);
    }
    String emb = str(meta, F_EMBEDDER);
    if (!embedderId.equals(emb)) {
      throw new IncompatibleFormatException(where() + " was built with embedder '" + emb
          + "' but is being opened for embedder '" + embedderId + "'; re-index with the new embedder");
    }
    String dim = str(meta, F_DIMENSION);
    String met = str(meta, F_METRIC);
    if (!Integer.toString(dimension).equals(dim) || !metric.name().equals(met)) {
      throw new IncompatibleFormatException(where() + " holds " + dim + "-d " + met + " vectors but is being opened for "
          + dimension + "-d " + metric);
    }
    String kt = str(meta, F_KEYTYPE);
    if (!keyType.getName().equals(kt)) {
      throw new IncompatibleFormatException(where() + " has keys of type " + kt + " but is being opened with "
          + keyType.getName());
    }
  }

  /**
   * @param source vectors to restore into this collection
   * @throws IncompatibleFormatException when {@code source} is for another embedder, dimension or metric
   */
  void checkRestore(VectorIndex<?> source) {
    if (!source.embedderId().equals(embedderId) || source.dimension() != dimension || source.metric() != metric) {
      throw new IncompatibleFormatException("cannot restore " + source.dimension() + "-d " + source.metric()
          + " vectors of embedder '" + source.embedderId() + "' into " + where() + " (" + dimension + "-d " + metric
          + ", embedder '" + embedderId + "')");
    }
  }

  private static String str(SolrDocument d, String field) {
    Object v = d.getFirstValue(field);
    return v == null ? null : v.toString();
  }
}
