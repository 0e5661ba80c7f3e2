package io.sightline.spark;

import org.apache.spark.sql.SparkSession;

/** A small local-mode session for tests and measurements. */
final class LocalSpark {
  private static SparkSession shared;

  private LocalSpark() {}

  /**
   * The test session: {@code local[2]}, no UI, 2 shuffle partitions. One per test JVM, shared by
   * the test classes (each start costs seconds on a loaded 2-core machine); stopped at JVM exit.
   * Two shuffle partitions: the aggregations of a few hundred rows are all task overhead.
   *
   * @return the session
   */
  static synchronized SparkSession shared() {
    if (shared == null) {
      shared = start("local[2]", "sightline-spark-tests");
      SparkSession s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
    }
    return shared;
  }

  /**
   * @param master e.g. {@code local[2]}
   * @param app application name
   * @return the session (stop it when done)
   */
  static SparkSession start(String master, String app) {
    return SparkSession.builder().master(master).appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate();
  }
}
