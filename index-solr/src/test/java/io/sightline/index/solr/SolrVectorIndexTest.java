package io.sightline.index.solr;

import static io.sightline.index.solr.SolrClusterSupport.randomItems;
import static io.sightline.index.solr.SolrClusterSupport.randomVector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sightline.core.DimensionMismatchException;
import io.sightline.core.IncompatibleFormatException;
import io.sightline.core.InvalidVectorException;
import io.sightline.core.StoreException;
import io.sightline.core.index.ExactVectorIndex;
import io.sightline.core.index.IndexItem;
import io.sightline.core.index.Metric;
import io.sightline.core.index.SearchFilter;
import io.sightline.core.index.SearchResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SolrVectorIndex against an in-process two-node SolrCloud (MiniSolrCloudCluster), shared by the
 * tests of this class; the failover test stops and restarts a node, so it runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SolrVectorIndexTest {
  private static final int DIM = 32;
  private static final String EMB = "test-embedder-v1";
  private static final Duration ACTIVE = Duration.ofSeconds(60);

  static MiniSolrCloudCluster cluster;
  static CloudSolrClient client;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = SolrClusterSupport.start(2);
    client = cluster.getSolrClient();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      try {
        cluster.shutdown();
      } catch (Exception e) {
        // Jetty's graceful stop has a fixed 15 s limit that a heavily loaded machine can exceed;
        // the tests are over and the forked JVM ends anyway
        org.slf4j.LoggerFactory.getLogger(SolrVectorIndexTest.class).warn("MiniSolrCloudCluster shutdown: {}", e.toString());
      }
    }
  }

  private static SolrVectorIndex<String> create(String name, int shards, int replicas, Metric metric) {
    SolrVectorIndex.createCollection(client, name, DIM, metric, shards, replicas, ACTIVE);
    return SolrVectorIndex.open(client, name, DIM, metric, EMB);
  }

  @ParameterizedTest
  @CsvSource({"1, COSINE", "2, L2", "2, INNER_PRODUCT"})
  @Order(1)
  void recallAtTenMatchesExactIndex(int shards, Metric metric) {
    Random r = new Random(7 + shards + metric.ordinal());
    List<IndexItem<String>> items = randomItems(r, 2000, DIM);
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(DIM, metric, EMB);
    exact.addAll(items);
    SolrVectorIndex<String> index = create("recall_" + shards + "_" + metric.name().toLowerCase(), shards, 1, metric);
    index.addAll(items);
    assertThat(index.size()).isEqualTo(2000);
    int hits = 0;
    int total = 0;
    for (int q = 0; q < 40; q++) {
      float[] query = randomVector(r, DIM);
      List<SearchResult<String>> want = exact.search(query, 10);
      List<SearchResult<String>> got = index.search(query, 10);
      assertThat(got).hasSize(10);
      Set<String> wantIds = want.stream().map(SearchResult::id).collect(Collectors.toSet());
      for (SearchResult<String> g : got) {
        if (wantIds.contains(g.id())) {
          hits++;
        }
        // distances are recomputed from the stored floats: exactly those of the exact index
        float d = exact.search(query, 1, (id, a) -> id.equals(g.id())).get(0).distance();
        assertThat(g.distance()).isEqualTo(d);
        assertThat(g.similarity()).isEqualTo(metric.similarity(d));
        assertThat(g.attributes()).isEqualTo(exact.attributes(g.id()).orElseThrow());
      }
      for (int i = 1; i < got.size(); i++) {
        assertThat(got.get(i).distance()).isGreaterThanOrEqualTo(got.get(i - 1).distance());
      }
      total += want.size();
    }
    double recall = hits / (double) total;
    assertThat(recall).as("recall@10 with %d shard(s), %s", shards, metric).isGreaterThanOrEqualTo(0.9);
  }

  @Test
  @Order(2)
  void addUpdateRemoveContainsVectorSize() {
    SolrVectorIndex<String> index = create("semantics", 2, 1, Metric.COSINE);
    Random r = new Random(1);
    float[] a = randomVector(r, DIM);
    float[] b = randomVector(r, DIM);
    assertThat(index.size()).isZero();
    assertThat(index.contains("a")).isFalse();
    assertThat(index.vector("a")).isEmpty();
    assertThat(index.attributes("a")).isEmpty();

    index.add("a", a, Map.of("color", "red", "odd=key\\", "x=y"));
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.contains("a")).isTrue();
    assertThat(index.vector("a")).get().isEqualTo(io.sightline.core.index.Vectors.normalized(a));
    assertThat(index.attributes("a")).contains(Map.of("color", "red", "odd=key\\", "x=y"));
    assertThat(index.keys()).containsExactly("a");

    index.add("a", b, Map.of()); // add replaces
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.vector("a")).get().isEqualTo(io.sightline.core.index.Vectors.normalized(b));
    assertThat(index.attributes("a")).contains(Map.of());

    assertThat(index.update("a", a, Map.of("color", "blue"))).isTrue();
    assertThat(index.vector("a")).get().isEqualTo(io.sightline.core.index.Vectors.normalized(a));
    assertThat(index.update("missing", a, Map.of())).isFalse();
    assertThat(index.contains("missing")).isFalse();
    assertThat(index.size()).isEqualTo(1);

    index.add("b", b);
    assertThat(index.search(a, 5)).extracting(SearchResult::id).containsExactly("a", "b");
    assertThat(index.search(a, 1)).extracting(SearchResult::id).containsExactly("a");
    assertThat(index.search(a, 1).get(0).distance()).isCloseTo(0f, org.assertj.core.data.Offset.offset(1e-6f));

    assertThat(index.remove("a")).isTrue();
    assertThat(index.remove("a")).isFalse();
    assertThat(index.contains("a")).isFalse();
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.keys()).containsExactly("b");
    assertThat(index.search(a, 5)).extracting(SearchResult::id).containsExactly("b");

    assertThatThrownBy(() -> index.add("c", new float[DIM - 1])).isInstanceOf(DimensionMismatchException.class);
    assertThatThrownBy(() -> index.add("c", new float[DIM])).isInstanceOf(InvalidVectorException.class);
    assertThatThrownBy(() -> index.search(a, 0)).isInstanceOf(IllegalArgumentException.class);
    // addAll validates everything before anything is sent
    List<IndexItem<String>> bad = List.of(IndexItem.of("x", a), IndexItem.of("y", new float[3]));
    assertThatThrownBy(() -> index.addAll(bad)).isInstanceOf(DimensionMismatchException.class);
    assertThat(index.contains("x")).isFalse();
  }

  @Test
  @Order(3)
  void filtersBeforeAndAfterTheGraphSearch() {
    Random r = new Random(3);
    List<IndexItem<String>> items = randomItems(r, 2000, DIM); // 10 % red
    ExactVectorIndex<String> exact = new ExactVectorIndex<>(DIM, Metric.COSINE, EMB);
    exact.addAll(items);
    SolrVectorIndex<String> index = create("filters", 2, 1, Metric.COSINE);
    index.addAll(items);
    // n=7 matches a single vector. With at most 100 candidates a post-filter almost never sees
    // it; the Solr filter query runs before the graph search and always finds it.
    SolrVectorIndex<String> narrow = SolrVectorIndex.open(client, "filters", String.class, DIM, Metric.COSINE, EMB,
        new SolrVectorIndex.Options(100, 100, 0));
    float[] q = randomVector(r, DIM);
    assertThat(exact.search(q, 100).stream().map(SearchResult::id)).doesNotContain("k7", "k30");
    assertThat(narrow.search(q, 10, SolrFilters.attributeEquals("n", "7"))).extracting(SearchResult::id)
        .containsExactly("k7");
    assertThat(narrow.search(q, 10, SolrFilters.<String>attributeEquals("color", "red")
        .and(SolrFilters.attributeEquals("n", "30")))).extracting(SearchResult::id).containsExactly("k30");
    assertThat(narrow.search(q, 10, SolrFilters.<String>attributeEquals("color", "blue")
        .and(SolrFilters.attributeEquals("n", "30")))).isEmpty();
    // a post-filter widens its candidate list (up to maxCandidates) until k pass
    assertThat(index.search(q, 10, SearchFilter.attributeEquals("n", "7"))).extracting(SearchResult::id)
        .containsExactly("k7");
    for (int i = 0; i < 10; i++) {
      float[] query = randomVector(r, DIM);
      SearchFilter<String> red = SolrFilters.attributeEquals("color", "red");
      List<String> want = exact.search(query, 10, red).stream().map(SearchResult::id).toList();
      List<SearchResult<String>> pre = index.search(query, 10, red);
      List<SearchResult<String>> post = index.search(query, 10, SearchFilter.attributeEquals("color", "red"));
      assertThat(pre).hasSize(10).allSatisfy(h -> assertThat(h.attributes()).containsEntry("color", "red"));
      assertThat(post).hasSize(10).allSatisfy(h -> assertThat(h.attributes()).containsEntry("color", "red"));
      assertThat(pre.stream().map(SearchResult::id).filter(want::contains).count()).isGreaterThanOrEqualTo(8);
    }
  }

  @Test
  @Order(4)
  void reopenRefusesAnotherEmbedderDimensionMetricOrKeyType() {
    SolrVectorIndex<String> index = create("reopen", 1, 1, Metric.COSINE);
    index.add("a", randomVector(new Random(2), DIM));
    // same settings reopen and see the data
    assertThat(SolrVectorIndex.open(client, "reopen", DIM, Metric.COSINE, EMB).contains("a")).isTrue();
    assertThatThrownBy(() -> SolrVectorIndex.open(client, "reopen", DIM, Metric.COSINE, "other-embedder"))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("other-embedder")
        .hasMessageContaining(EMB);
    assertThatThrownBy(() -> SolrVectorIndex.open(client, "reopen", DIM + 1, Metric.COSINE, EMB))
        .isInstanceOf(IncompatibleFormatException.class).hasMessageContaining("dimension " + DIM);
    assertThatThrownBy(() -> SolrVectorIndex.open(client, "reopen", DIM, Metric.L2, EMB))
        .isInstanceOf(IncompatibleFormatException.class);
    assertThatThrownBy(() -> SolrVectorIndex.open(client, "reopen", Long.class, DIM, Metric.COSINE, EMB,
        SolrVectorIndex.Options.defaults())).isInstanceOf(IncompatibleFormatException.class)
        .hasMessageContaining("java.lang.String");
    assertThatThrownBy(() -> SolrVectorIndex.open(client, "no_such_collection", DIM, Metric.COSINE, EMB))
        .isInstanceOf(StoreException.class).hasMessageContaining("does not exist");
    // the metadata document is written once: a second embedder cannot claim the collection later
    assertThat(SolrVectorIndex.open(client, "reopen", DIM, Metric.COSINE, EMB).size()).isEqualTo(1);
  }

  @Test
  @Order(5)
  void saveWritesAnExactIndexFileAndRestoreReadsIt() {
    SolrVectorIndex<Long> index = SolrVectorIndexTest.createLong("longs");
    Random r = new Random(5);
    List<IndexItem<Long>> items = new java.util.ArrayList<>();
    for (long i = 0; i < 20; i++) {
      items.add(new IndexItem<>(i, randomVector(r, DIM), Map.of("i", Long.toString(i))));
    }
    index.addAll(items);
    Path file = tmp.resolve("snapshot.idx");
    index.save(file);
    ExactVectorIndex<Long> loaded = ExactVectorIndex.load(file, Long.class, EMB);
    assertThat(new HashSet<>(loaded.keys())).isEqualTo(new HashSet<>(index.keys()));
    assertThat(loaded.vector(3L)).get().isEqualTo(index.vector(3L).orElseThrow());
    assertThat(loaded.attributes(3L)).contains(Map.of("i", "3"));
    // restore into a fresh collection gives the same vectors back
    SolrVectorIndex<Long> copy = createLong("longs_copy");
    copy.restore(loaded);
    assertThat(copy.size()).isEqualTo(20);
    assertThat(copy.vector(7L)).get().isEqualTo(index.vector(7L).orElseThrow());
  }

  @Test
  @Order(6)
  void commitWithinLetsRealTimeGetSeeWritesBeforeSearchesDo() {
    SolrVectorIndex.createCollection(client, "within", DIM, Metric.COSINE, 1, 1, ACTIVE);
    SolrVectorIndex<String> index = SolrVectorIndex.open(client, "within", String.class, DIM, Metric.COSINE, EMB,
        SolrVectorIndex.Options.defaults().commitWithin(60_000));
    index.add("a", randomVector(new Random(6), DIM));
    assertThat(index.contains("a")).isTrue(); // real-time get
    assertThat(index.size()).isZero(); // not committed yet
    assertThat(SolrVectorIndex.open(client, "within", DIM, Metric.COSINE, EMB).remove("a")).isTrue(); // commits
    assertThat(index.contains("a")).isFalse();
  }

  /**
   * One shard, two replicas on the two nodes. A node is stopped while a thread queries: queries
   * keep answering from the other replica; vectors added while it is down reach it after its
   * restart (checked by then stopping the other node); nothing is lost.
   */
  @Test
  @Order(100)
  void queriesSurviveANodeStopAndNothingIsLostAfterRestart() throws Exception {
    String name = "failover";
    SolrVectorIndex.createCollection(client, name, DIM, Metric.COSINE, 1, 2, ACTIVE);
    cluster.waitForActiveCollection(name, 60, java.util.concurrent.TimeUnit.SECONDS);
    SolrVectorIndex<String> index = SolrVectorIndex.open(client, name, DIM, Metric.COSINE, EMB);
    Random r = new Random(11);
    List<IndexItem<String>> items = randomItems(r, 500, DIM);
    index.addAll(items);

    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger okAfterStop = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger errors = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger incomplete = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
    Thread queries = new Thread(() -> {
      Random qr = new Random(12);
      while (!stop.get()) {
        try {
          List<SearchResult<String>> hits = index.search(randomVector(qr, DIM), 10);
          if (hits.size() == 10) {
            ok.incrementAndGet();
            if (stopped.get()) {
              okAfterStop.incrementAndGet();
            }
          } else {
            incomplete.incrementAndGet();
          }
        } catch (StoreException e) {
          errors.incrementAndGet();
        }
      }
    });
    queries.start();
    Thread.sleep(1000);
    // the node holding the shard leader: the harder case (a new leader is elected)
    String leaderNode = client.getClusterState().getCollection(name).getSlice("shard1").getLeader().getNodeName();
    org.apache.solr.embedded.JettySolrRunner victim = cluster.getJettySolrRunners().stream()
        .filter(j -> j.getNodeName().equals(leaderNode)).findFirst().orElseThrow();
    org.apache.solr.embedded.JettySolrRunner other = cluster.getJettySolrRunners().stream()
        .filter(j -> j != victim).findFirst().orElseThrow();
    cluster.stopJettySolrRunner(victim);
    cluster.waitForJettyToStop(victim);
    stopped.set(true);
    Thread.sleep(3000);
    stop.set(true);
    queries.join();
    System.out.printf("failover: %d complete answers (%d after the stop), %d incomplete, %d client errors%n",
        ok.get(), okAfterStop.get(), incomplete.get(), errors.get());
    assertThat(okAfterStop.get()).as("answers after the node stopped").isGreaterThan(0);
    assertThat(incomplete.get()).isZero();
    assertThat(errors.get()).as("client errors").isLessThanOrEqualTo(2);

    // writes while the node is down (a new leader may need a moment)
    List<IndexItem<String>> more = randomItems(new Random(13), 50, DIM).stream()
        .map(it -> new IndexItem<>("late" + it.id(), it.vector(), it.attributes())).toList();
    addWithRetry(index, more);

    cluster.startJettySolrRunner(victim);
    cluster.waitForNode(victim, 60);
    cluster.waitForActiveCollection(name, 60, java.util.concurrent.TimeUnit.SECONDS);
    // now stop the other node: every answer comes from the restarted replica
    cluster.stopJettySolrRunner(other);
    cluster.waitForJettyToStop(other);
    try {
      Set<String> want = new HashSet<>();
      items.forEach(it -> want.add(it.id()));
      more.forEach(it -> want.add(it.id()));
      assertThat(new HashSet<>(index.keys())).isEqualTo(want);
      assertThat(index.size()).isEqualTo(550);
      assertThat(index.vector("latek7")).get()
          .isEqualTo(io.sightline.core.index.Vectors.normalized(more.get(7).vector()));
      assertThat(index.search(more.get(3).vector(), 1).get(0).id()).isEqualTo("latek3");
    } finally {
      cluster.startJettySolrRunner(other);
      cluster.waitForNode(other, 60);
    }
  }

  private static void addWithRetry(SolrVectorIndex<String> index, List<IndexItem<String>> items) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        index.addAll(items);
        return;
      } catch (StoreException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  private static SolrVectorIndex<Long> createLong(String name) {
    SolrVectorIndex.createCollection(client, name, DIM, Metric.L2, 1, 1, ACTIVE);
    return SolrVectorIndex.open(client, name, Long.class, DIM, Metric.L2, EMB, SolrVectorIndex.Options.defaults());
  }
}
