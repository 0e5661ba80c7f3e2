package io.sightline.index.solr;

import io.sightline.core.index.IndexItem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.solr.cloud.MiniSolrCloudCluster;

/** Starts an in-process SolrCloud (embedded ZooKeeper, Jetty nodes) for tests and measurements. */
final class SolrClusterSupport {
  private SolrClusterSupport() {}

  static MiniSolrCloudCluster start(int nodes) throws Exception {
    // keep the in-process cluster quiet and light
    System.setProperty("solr.log.dir", System.getProperty("java.io.tmpdir"));
    System.setProperty("jetty.testMode", "true");
    System.setProperty("solr.autoCommit.maxTime", "15000");
    System.setProperty("zookeeper.4lw.commands.whitelist", "*"); // the embedded ZooKeeper's health check
    Path base = Files.createTempDirectory("sightline-solr");
    return new MiniSolrCloudCluster.Builder(nodes, base).configure();
  }

  static float[] randomVector(Random r, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  static List<IndexItem<String>> randomItems(Random r, int n, int dim) {
    List<IndexItem<String>> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(new IndexItem<>("k" + i, randomVector(r, dim),
          Map.of("color", i % 10 == 0 ? "red" : "blue", "n", Integer.toString(i))));
    }
    return items;
  }
}
