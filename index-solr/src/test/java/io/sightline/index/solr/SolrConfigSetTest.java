package io.sightline.index.solr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.StoreException;
import io.sightline.core.index.Metric;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configset files with dimension and similarity filled in, without a cluster. */
class SolrConfigSetTest {
  @TempDir
  Path tmp;

  @Test
  void similarityPerMetric() {
    assertThat(SolrConfigSet.similarity(Metric.COSINE)).isEqualTo("dot_product");
    assertThat(SolrConfigSet.similarity(Metric.INNER_PRODUCT)).isEqualTo("maximum_inner_product");
    assertThat(SolrConfigSet.similarity(Metric.L2)).isEqualTo("euclidean");
    assertThatThrownBy(() -> SolrConfigSet.similarity(null)).isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("metric");
  }

  @Test
  void nameHasDimensionAndLowerCaseMetric() {
    assertThat(SolrConfigSet.name(512, Metric.COSINE)).isEqualTo("sightline-vectors-512-cosine");
    assertThat(SolrConfigSet.name(3, Metric.INNER_PRODUCT)).isEqualTo("sightline-vectors-3-inner_product");
    assertThat(SolrConfigSet.name(64, Metric.L2)).isEqualTo("sightline-vectors-64-l2");
  }

  @Test
  void filesFillInDimensionAndSimilarity() {
    Map<String, byte[]> files = SolrConfigSet.files(384, Metric.INNER_PRODUCT);
    assertThat(files.keySet()).containsExactly("schema.xml", "solrconfig.xml");
    String schema = new String(files.get("schema.xml"), StandardCharsets.UTF_8);
    assertThat(schema).contains("<fieldType name=\"sl_knn_vector\" class=\"solr.DenseVectorField\" "
        + "vectorDimension=\"384\"\n             similarityFunction=\"maximum_inner_product\"")
        .doesNotContain("@DIMENSION@", "@SIMILARITY@");
    assertThat(schema).contains("<field name=\"sl_vector\" type=\"sl_knn_vector\"", "<field name=\"sl_floats\"",
        "<field name=\"sl_attr\"", "<field name=\"sl_kind\"");
    String config = new String(files.get("solrconfig.xml"), StandardCharsets.UTF_8);
    assertThat(config).startsWith("<?xml").contains("<config>", "<updateLog>", "ClassicIndexSchemaFactory");
    // COSINE is sent normalised and searched by dot product
    assertThat(new String(SolrConfigSet.files(2, Metric.COSINE).get("schema.xml"), StandardCharsets.UTF_8))
        .contains("vectorDimension=\"2\"", "similarityFunction=\"dot_product\"");
    assertThat(new String(SolrConfigSet.files(1, Metric.L2).get("schema.xml"), StandardCharsets.UTF_8))
        .contains("vectorDimension=\"1\"", "similarityFunction=\"euclidean\"");
  }

  @Test
  void dimensionBelowOneIsRefused() {
    assertThatThrownBy(() -> SolrConfigSet.files(0, Metric.L2)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be positive: 0");
    assertThatThrownBy(() -> SolrConfigSet.zip(-3, Metric.L2)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be positive: -3");
    assertThatThrownBy(() -> SolrConfigSet.write(tmp.resolve("x"), 0, Metric.L2))
        .isExactlyInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void zipHoldsExactlyTheFiles() throws IOException {
    Map<String, byte[]> want = SolrConfigSet.files(16, Metric.L2);
    Map<String, byte[]> got = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(SolrConfigSet.zip(16, Metric.L2)))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        got.put(e.getName(), in.readAllBytes());
      }
    }
    assertThat(got.keySet()).containsExactly("schema.xml", "solrconfig.xml");
    for (String f : want.keySet()) {
      assertThat(got.get(f)).as(f).isEqualTo(want.get(f));
    }
  }

  @Test
  void writeCreatesTheDirectoryAndTheFiles() throws IOException {
    Path dir = tmp.resolve("a/b/sightline-vectors-8-cosine");
    SolrConfigSet.write(dir, 8, Metric.COSINE);
    Map<String, byte[]> want = SolrConfigSet.files(8, Metric.COSINE);
    try (var list = Files.list(dir)) {
      assertThat(list.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("schema.xml", "solrconfig.xml");
    }
    assertThat(Files.readAllBytes(dir.resolve("schema.xml"))).isEqualTo(want.get("schema.xml"));
    assertThat(Files.readAllBytes(dir.resolve("solrconfig.xml"))).isEqualTo(want.get("solrconfig.xml"));
    // writing again over an existing directory replaces the files
    SolrConfigSet.write(dir, 9, Metric.COSINE);
    assertThat(Files.readString(dir.resolve("schema.xml"))).contains("vectorDimension=\"9\"");
  }

  @Test
  void writeFailureIsAStoreExceptionNamingTheDirectory() throws IOException {
    Path file = Files.writeString(tmp.resolve("plain-file"), "x");
    Path dir = file.resolve("sub");
    assertThatThrownBy(() -> SolrConfigSet.write(dir, 8, Metric.COSINE)).isExactlyInstanceOf(StoreException.class)
        .hasMessageStartingWith("could not write the Solr configset to " + dir + ": ")
        .hasCauseInstanceOf(IOException.class);
  }
}
