package io.sightline.index.lucene;

import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.index.Metric;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a directory was made for, kept in Lucene's commit user data (inside the checksummed
 * {@code segments_N}), and the checks that refuse a directory made for something else.
 *
 * <p>Format versions: 1 (first release) stored no attribute terms and did not record the vector
 * encoding; 2 indexes every attribute as a term of {@link Documents#F_ATTR_TERMS} (so filters can
 * run inside the graph search) and records the vector encoding. A version-1 directory still opens
 * and keeps version 1 (its older documents have no attribute terms, so its filters all run after
 * the graph search, and its encoding follows the options it is opened with, as before).
 *
 * @param formatVersion {@link #FORMAT_VERSION} for new directories, or the stored version
 * @param embedderId id of the embedder whose vectors the index holds
 * @param dimension vector length
 * @param metric comparison metric
 * @param keyType key class
 * @param scalarQuantized whether the graph uses int8 scalar-quantized vectors
 */
record IndexMetadata(int formatVersion, String embedderId, int dimension, Metric metric, Class<?> keyType,
    boolean scalarQuantized) {
  static final String KIND = "sightline-lucene-vector-index";
  /** Version written to new directories. */
  static final int FORMAT_VERSION = 2;
  /** Oldest version still opened. */
  static final int OLDEST_FORMAT_VERSION = 1;
  static final String UD_KIND = "sightline.kind";
  static final String UD_FORMAT = "sightline.format";
  static final String UD_EMBEDDER = "sightline.embedderId";
  static final String UD_DIMENSION = "sightline.dimension";
  static final String UD_METRIC = "sightline.metric";
  static final String UD_KEY_TYPE = "sightline.keyType";
  static final String UD_VECTOR_ENCODING = "sightline.vectorEncoding";
  static final String ENCODING_FLOAT32 = "float32";
  static final String ENCODING_INT8 = "int8-scalar-quantized";

  /** @return whether every document carries attribute terms, so filters may be Lucene queries */
  boolean attributeTerms() {
    return formatVersion >= 2;
  }

  /** @return the commit user data describing this index */
  Map<String, String> userData() {
    Map<String, String> ud = new LinkedHashMap<>();
    ud.put(UD_KIND, KIND);
    ud.put(UD_FORMAT, Integer.toString(formatVersion));
    ud.put(UD_EMBEDDER, embedderId);
    ud.put(UD_DIMENSION, Integer.toString(dimension));
    ud.put(UD_METRIC, metric.name());
    ud.put(UD_KEY_TYPE, keyType.getName());
    if (formatVersion >= 2) {
      ud.put(UD_VECTOR_ENCODING, scalarQuantized ? ENCODING_INT8 : ENCODING_FLOAT32);
    }
    return ud;
  }

  /**
   * Checks a directory's commit user data against what it is opened for.
   *
   * @param dir the directory (for messages)
   * @param ud its latest commit's user data
   * @param wanted what the caller opens it for (with {@link #FORMAT_VERSION})
   * @return the metadata to keep writing: {@code wanted} with the stored format version
   * @throws IncompatibleFormatException on any mismatch
   */
  static IndexMetadata check(Path dir, Map<String, String> ud, IndexMetadata wanted) {
    if (!KIND.equals(ud.get(UD_KIND))) {
      throw new IncompatibleFormatException(dir + ": not a Sightline Lucene vector index (no '" + UD_KIND
          + "' in the commit data)");
    }
    int format = parseInt(dir, ud.get(UD_FORMAT));
    if (format < OLDEST_FORMAT_VERSION || format > FORMAT_VERSION) {
      throw new IncompatibleFormatException(dir + ": index format version " + format + ", this code reads "
          + OLDEST_FORMAT_VERSION + " to " + FORMAT_VERSION);
    }
    if (!wanted.embedderId.equals(ud.get(UD_EMBEDDER))) {
      throw new IncompatibleFormatException(dir + ": index was built with embedder '" + ud.get(UD_EMBEDDER)
          + "' but is being opened for embedder '" + wanted.embedderId + "'; re-index with the new embedder");
    }
    if (parseInt(dir, ud.get(UD_DIMENSION)) != wanted.dimension) {
      throw new IncompatibleFormatException(dir + ": index holds vectors of dimension " + ud.get(UD_DIMENSION)
          + ", opened for dimension " + wanted.dimension);
    }
    if (!wanted.metric.name().equals(ud.get(UD_METRIC))) {
      throw new IncompatibleFormatException(dir + ": index uses metric " + ud.get(UD_METRIC) + ", opened for "
          + wanted.metric);
    }
    if (!wanted.keyType.getName().equals(ud.get(UD_KEY_TYPE))) {
      throw new IncompatibleFormatException(dir + ": index has keys of type " + ud.get(UD_KEY_TYPE)
          + ", opened for " + wanted.keyType.getName());
    }
    if (format >= 2) {
      String encoding = ud.get(UD_VECTOR_ENCODING);
      if (!ENCODING_INT8.equals(encoding) && !ENCODING_FLOAT32.equals(encoding)) {
        throw new IncompatibleFormatException(dir + ": corrupt index metadata: vector encoding '" + encoding + "'");
      }
      boolean stored = ENCODING_INT8.equals(encoding);
      if (stored != wanted.scalarQuantized) {
        throw new IncompatibleFormatException(dir + ": index was built "
            + (stored ? "with" : "without") + " scalar quantization (" + encoding + " graph vectors) but is "
            + "being opened " + (wanted.scalarQuantized ? "with" : "without") + " it; open it with Options."
            + "quantized(" + stored + ") or re-index");
      }
    }
    return new IndexMetadata(format, wanted.embedderId, wanted.dimension, wanted.metric, wanted.keyType,
        wanted.scalarQuantized);
  }

  private static int parseInt(Path dir, String s) {
    try {
      return Integer.parseInt(Objects.requireNonNull(s));
    } catch (RuntimeException e) {
      throw new IncompatibleFormatException(dir + ": corrupt index metadata value '" + s + "'", e);
    }
  }
}
