package io.sightline.spark;

import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * Carries the session's Hadoop settings ({@code spark.hadoop.*}, e.g. S3 credentials and
 * endpoints) to executors, where {@code new Configuration()} would see only the defaults.
 */
final class HadoopConf {
  private HadoopConf() {}

  /**
   * @param spark the session
   * @return the settings that differ from Hadoop's defaults (serialisable)
   */
  static HashMap<String, String> capture(SparkSession spark) {
    Configuration defaults = new Configuration();
    HashMap<String, String> out = new HashMap<>();
    for (Map.Entry<String, String> e : spark.sparkContext().hadoopConfiguration()) {
      String v = e.getValue();
      if (v != null && !v.equals(defaults.getRaw(e.getKey()))) {
        out.put(e.getKey(), v);
      }
    }
    return out;
  }

  /**
   * @param settings from {@link #capture}
   * @return a configuration with them over Hadoop's defaults
   */
  static Configuration restore(Map<String, String> settings) {
    Configuration c = new Configuration();
    settings.forEach(c::set);
    return c;
  }
}
