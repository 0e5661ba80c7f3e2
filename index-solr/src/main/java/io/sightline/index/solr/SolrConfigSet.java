package io.sightline.index.solr;

import io.sightline.core.StoreException;
import io.sightline.core.index.Metric;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The Solr configset of a Sightline vector collection: {@code schema.xml} and
 * {@code solrconfig.xml}, shipped as resources of this module under
 * {@code io/sightline/index/solr/configset/}, with the vector field's dimension and similarity
 * filled in. {@link SolrVectorIndex#createCollection} uploads it; {@link #write} puts it in a
 * directory for {@code bin/solr zk upconfig} when you create collections yourself.
 */
public final class SolrConfigSet {
  static final String RESOURCE_DIR = "/io/sightline/index/solr/configset/";
  static final String[] FILES = {"schema.xml", "solrconfig.xml"};
  /** Name of the vector field type in the schema (checked by {@link SolrVectorIndex#open}). */
  public static final String VECTOR_FIELD_TYPE = "sl_knn_vector";

  private SolrConfigSet() {}

  /**
   * @param metric a metric
   * @return the {@code similarityFunction} of Solr's {@code DenseVectorField} used for it
   *     ({@code dot_product} for cosine: vectors are normalised before they are sent)
   */
  public static String similarity(Metric metric) {
    return switch (Objects.requireNonNull(metric, "metric")) {
      case COSINE -> "dot_product";
      case INNER_PRODUCT -> "maximum_inner_product";
      case L2 -> "euclidean";
    };
  }

  /**
   * @param dimension vector length
   * @param metric comparison metric
   * @return the configset name {@link SolrVectorIndex#createCollection} uses, e.g.
   *     {@code sightline-vectors-512-cosine}
   */
  public static String name(int dimension, Metric metric) {
    return "sightline-vectors-" + dimension + "-" + metric.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Writes the configset files into a directory (created when absent), for
   * {@code bin/solr zk upconfig -n NAME -d DIR}.
   *
   * @param dir target directory
   * @param dimension vector length
   * @param metric comparison metric
   * @throws StoreException on I/O failure
   */
  public static void write(Path dir, int dimension, Metric metric) {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, byte[]> f : files(dimension, metric).entrySet()) {
        Files.write(dir.resolve(f.getKey()), f.getValue());
      }
    } catch (IOException e) {
      throw new StoreException("could not write the Solr configset to " + dir + ": " + e.getMessage(), e);
    }
  }

  static Map<String, byte[]> files(int dimension, Metric metric) {
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be positive: " + dimension);
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (String f : FILES) {
      String text = resource(f).replace("@DIMENSION@", Integer.toString(dimension))
          .replace("@SIMILARITY@", similarity(metric));
      out.put(f, text.getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  static byte[] zip(int dimension, Metric metric) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> f : files(dimension, metric).entrySet()) {
        zip.putNextEntry(new ZipEntry(f.getKey()));
        zip.write(f.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  private static String resource(String file) {
    try (InputStream in = SolrConfigSet.class.getResourceAsStream(RESOURCE_DIR + file)) {
      if (in == null) {
        throw new IllegalStateException("configset resource " + RESOURCE_DIR + file + " missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
