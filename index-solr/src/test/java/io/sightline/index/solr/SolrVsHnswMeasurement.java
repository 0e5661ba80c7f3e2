package io.sightline.index.solr;

import io.sightline.core.StoreException;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.HnswVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchResult;
import io.sightline.core.index.VectorIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Same-run comparison of {@link SolrVectorIndex} (1, 2 and 4 shards on an in-process two-node
 * SolrCloud) with core's {@link HnswVectorIndex} on random Gaussian vectors (cosine): build time,
 * recall@10 against {@link ExactVectorIndex}, query latency p50/p99 (single thread, after a
 * warm-up), each with the load average; then a failover run (one shard, two replicas, the leader's
 * node stopped while a thread queries). Not a unit test; run from the repository root with
 *
 * <pre>
 * mvn -B -o -q -pl index-solr test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/solr-cp.txt -Dmdep.includeScope=test
 * java -Xmx3g -cp index-solr/target/test-classes:index-solr/target/classes:$(cat /tmp/solr-cp.txt) \
 *   io.sightline.index.solr.SolrVsHnswMeasurement 20000 64 300
 * </pre>
 *
 * Graphs: M 16, construction beam 100, search ef 100 for both (Solr: topK 100 per shard).
 */
public final class SolrVsHnswMeasurement {
  private SolrVsHnswMeasurement() {}

  /**
   * @param args vectors, dimension, queries
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int dim = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int nq = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    int k = 10;
    String emb = "measure";
    Random r = new Random(42);
    List<IndexItem<String>> items = SolrClusterSupport.randomItems(r, n, dim);
    List<float[]> qs = new ArrayList<>();
    for (int i = 0; i < nq; i++) {
      qs.add(SolrClusterSupport.randomVector(r, dim));
    }
    System.out.printf("%d x %d-d random Gaussian vectors, cosine, %d queries, k %d, Java %s, %d cpus%n", n, dim, nq, k,
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    System.out.println("loadavg before: " + loadavg());
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(dim, Metric.COSINE, emb);
    exact.addAll(items);
    List<Set<String>> truth = qs.stream()
        .map(q -> exact.search(q, k).stream().map(SearchResult::id).collect(Collectors.toSet()))
        .collect(Collectors.toList());
    measure("exact (brute force)", exact, List.of(), qs, truth, k);

    HnswVectorIndex<String> hnsw = HnswVectorIndex.builder().dimension(dim).metric(Metric.COSINE)
        .embedderId(emb).m(16).efConstruction(100).ef(100).initialCapacity(n + 1).build();
    measure("HnswVectorIndex (hnswlib, heap)", hnsw, items, qs, truth, k);
    hnsw = null;
    System.gc();

    MiniSolrCloudCluster cluster = SolrClusterSupport.start(2);
    try {
      CloudSolrClient client = cluster.getSolrClient();
      for (int shards : new int[] {1, 2, 4}) {
        String name = "measure_" + shards;
        SolrVectorIndex.createCollection(client, name, dim, Metric.COSINE, shards, 1, Duration.ofSeconds(120));
        SolrVectorIndex<String> solr = SolrVectorIndex.open(client, name, dim, Metric.COSINE, emb);
        measure("SolrVectorIndex, " + shards + " shard(s) on 2 nodes", solr, items, qs, truth, k);
        org.apache.solr.client.solrj.request.CollectionAdminRequest.deleteCollection(name).process(client);
      }
      failover(cluster, items.subList(0, Math.min(n, 5000)), dim, emb);
    } finally {
      cluster.shutdown();
    }
    System.out.println("loadavg after: " + loadavg());
  }

  private static void measure(String label, VectorIndex<String> index, List<IndexItem<String>> items,
      List<float[]> qs, List<Set<String>> truth, int k) {
    String buildLoad = loadavg();
    long t0 = System.nanoTime();
    if (!items.isEmpty()) {
      index.addAll(items);
    }
    double build = (System.nanoTime() - t0) / 1e9;
    for (int i = 0; i < Math.min(50, qs.size()); i++) {
      index.search(qs.get(i), k); // warm-up
    }
    long[] lat = new long[qs.size()];
    int hits = 0;
    String queryLoad = loadavg();
    for (int i = 0; i < qs.size(); i++) {
      long s = System.nanoTime();
      List<SearchResult<String>> got = index.search(qs.get(i), k);
      lat[i] = System.nanoTime() - s;
      for (SearchResult<String> g : got) {
        if (truth.get(i).contains(g.id())) {
          hits++;
        }
      }
    }
    Arrays.sort(lat);
    System.out.printf("%-40s build %6.1f s (load %s) | recall@10 %.3f | p50 %6.2f ms p99 %6.2f ms (load %s)%n",
        label, build, buildLoad, hits / (double) (qs.size() * k), lat[lat.length / 2] / 1e6,
        lat[(int) Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)] / 1e6, queryLoad);
  }

  /** One shard, two replicas; stop the leader's node during queries; restart; check from the restarted replica. */
  private static void failover(MiniSolrCloudCluster cluster, List<IndexItem<String>> items, int dim, String emb)
      throws Exception {
    CloudSolrClient client = cluster.getSolrClient();
    String name = "measure_failover";
    SolrVectorIndex.createCollection(client, name, dim, Metric.COSINE, 1, 2, Duration.ofSeconds(120));
    cluster.waitForActiveCollection(name, 120, TimeUnit.SECONDS);
    SolrVectorIndex<String> index = SolrVectorIndex.open(client, name, dim, Metric.COSINE, emb);
    index.addAll(items);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger incomplete = new AtomicInteger();
    AtomicLong stoppedAt = new AtomicLong();
    AtomicLong lastBad = new AtomicLong();
    AtomicLong firstGoodAfter = new AtomicLong();
    AtomicLong maxGapNs = new AtomicLong();
    Thread queries = new Thread(() -> {
      Random qr = new Random(5);
      long lastGood = System.nanoTime();
      while (!stop.get()) {
        boolean good;
        try {
          good = index.search(SolrClusterSupport.randomVector(qr, dim), 10).size() == 10;
          if (!good) {
            incomplete.incrementAndGet();
          }
        } catch (StoreException e) {
          good = false;
          errors.incrementAndGet();
        }
        long now = System.nanoTime();
        if (good) {
          ok.incrementAndGet();
          maxGapNs.accumulateAndGet(now - lastGood, Math::max);
          lastGood = now;
          if (stoppedAt.get() != 0) {
            firstGoodAfter.compareAndSet(0, now);
          }
        } else {
          lastBad.set(now);
        }
      }
    });
    queries.start();
    Thread.sleep(2000);
    String leaderNode = client.getClusterState().getCollection(name).getSlice("shard1").getLeader().getNodeName();
    JettySolrRunner victim = cluster.getJettySolrRunners().stream().filter(j -> j.getNodeName().equals(leaderNode))
        .findFirst().orElseThrow();
    JettySolrRunner other = cluster.getJettySolrRunners().stream().filter(j -> j != victim).findFirst().orElseThrow();
    String load = loadavg();
    long t0 = System.nanoTime();
    stoppedAt.set(t0);
    cluster.stopJettySolrRunner(victim);
    cluster.waitForJettyToStop(victim);
    double stopS = (System.nanoTime() - t0) / 1e9;
    Thread.sleep(5000);
    // a write while the leader is down: time until a new leader accepts it
    long w0 = System.nanoTime();
    int writeErrors = 0;
    List<IndexItem<String>> late = SolrClusterSupport.randomItems(new Random(9), 100, dim).stream()
        .map(it -> new IndexItem<>("late" + it.id(), it.vector(), it.attributes())).toList();
    while (true) {
      try {
        index.addAll(late);
        break;
      } catch (StoreException e) {
        writeErrors++;
        Thread.sleep(250);
      }
    }
    double writeS = (System.nanoTime() - w0) / 1e9;
    long r0 = System.nanoTime();
    cluster.startJettySolrRunner(victim);
    cluster.waitForNode(victim, 120);
    cluster.waitForActiveCollection(name, 120, TimeUnit.SECONDS);
    double restartS = (System.nanoTime() - r0) / 1e9;
    Thread.sleep(2000);
    stop.set(true);
    queries.join();
    cluster.stopJettySolrRunner(other);
    cluster.waitForJettyToStop(other);
    Set<String> want = new HashSet<>();
    items.forEach(it -> want.add(it.id()));
    late.forEach(it -> want.add(it.id()));
    Set<String> got = new HashSet<>(index.keys());
    System.out.printf("failover (%d vectors, 1 shard x 2 replicas, leader's node stopped, load %s): stop took %.1f s; "
            + "queries: %d complete, %d incomplete, %d client errors; longest gap between complete answers %.0f ms; "
            + "first complete answer %.0f ms after the stop began; a write while the leader was down succeeded after "
            + "%.1f s (%d failed tries); restart until active %.1f s; after restart, the restarted replica alone holds "
            + "%d of %d vectors, missing %d%n",
        items.size(), load, stopS, ok.get(), incomplete.get(), errors.get(), maxGapNs.get() / 1e6,
        (firstGoodAfter.get() - t0) / 1e6, writeS, writeErrors, restartS, got.size(), want.size(),
        want.stream().filter(id -> !got.contains(id)).count());
    cluster.startJettySolrRunner(other);
    cluster.waitForNode(other, 120);
  }

  private static String loadavg() {
    try {
      String[] p = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return p[0] + " " + p[1] + " " + p[2];
    } catch (Exception e) {
      return "?";
    }
  }
}
