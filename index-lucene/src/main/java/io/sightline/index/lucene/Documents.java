package io.sightline.index.lucene;

import io.sightline.core.StoreException;
import io.sightline.core.index.Metric;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.BytesRef;

/**
 * The Lucene document of one vector: key term, vector field, stored attributes and (format 2)
 * one indexed term per attribute for filters.
 *
 * @param <K> key type
 */
final class Documents<K> {
  static final String F_ID = "id";
  static final String F_VECTOR = "vector";
  static final String F_ATTRS = "attrs";
  /** Indexed, not stored: {@code key + '\0' + value} per attribute, see {@link #attributeTerm}. */
  static final String F_ATTR_TERMS = "attr";
  /** Attribute terms are cut to this many chars (Lucene refuses terms over 32,766 UTF-8 bytes). */
  static final int MAX_TERM_CHARS = 8_000;

  private final KeyCodec<K> keys;
  private final VectorSimilarityFunction similarity;

  Documents(KeyCodec<K> keys, Metric metric) {
    this.keys = keys;
    this.similarity = similarity(metric);
  }

  KeyCodec<K> keys() {
    return keys;
  }

  private static VectorSimilarityFunction similarity(Metric metric) {
    return switch (metric) {
      // cosine vectors are normalised on the way in, so the dot product orders them
      case COSINE -> VectorSimilarityFunction.DOT_PRODUCT;
      case INNER_PRODUCT -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
      case L2 -> VectorSimilarityFunction.EUCLIDEAN;
    };
  }

  Document document(K id, float[] prepared, Map<String, String> attributes) {
    Document doc = new Document();
    doc.add(new StringField(F_ID, keys.encode(id), Field.Store.YES));
    doc.add(new KnnFloatVectorField(F_VECTOR, prepared, similarity));
    doc.add(new StoredField(F_ATTRS, encodeAttributes(attributes)));
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      doc.add(new StringField(F_ATTR_TERMS, attributeTerm(e.getKey(), e.getValue()), Field.Store.NO));
    }
    return doc;
  }

  Term term(K id) {
    return new Term(F_ID, keys.encode(id));
  }

  /**
   * The indexed term of one attribute: {@code key + '\0' + value}, cut to {@link #MAX_TERM_CHARS}
   * (never inside a surrogate pair). Cutting and a {@code '\0'} inside a key can make two
   * attributes share a term; queries on these terms therefore select a superset, and every hit is
   * still checked with the filter's own predicate.
   */
  static String attributeTerm(String key, String value) {
    return cut(key + '\0' + value, MAX_TERM_CHARS);
  }

  /** A prefix of every {@link #attributeTerm} whose value starts with {@code prefix}. */
  static String attributePrefix(String key, String prefix) {
    return cut(key + '\0' + prefix, MAX_TERM_CHARS - 1);
  }

  private static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end);
  }

  static BytesRef encodeAttributes(Map<String, String> attrs) {
    try {
      ByteArrayOutputStream bos = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bos);
      out.writeInt(attrs.size());
      for (Map.Entry<String, String> e : attrs.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
      out.flush();
      return new BytesRef(bos.toByteArray());
    } catch (IOException e) {
      throw new IllegalStateException(e); // in-memory stream
    }
  }

  static Map<String, String> decodeAttributes(BytesRef b) {
    if (b == null) {
      return Map.of();
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(b.bytes, b.offset, b.length));
      int n = in.readInt();
      Map<String, String> m = new HashMap<>(n * 2);
      for (int i = 0; i < n; i++) {
        m.put(in.readUTF(), in.readUTF());
      }
      return Map.copyOf(m);
    } catch (IOException e) {
      throw new StoreException("corrupt attributes in Lucene vector index", e);
    }
  }
}
