package io.sightline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class HadoopConfTest {
  @Test
  void sessionSettingsReachTheExecutorSideConfiguration() {
    SparkSession spark = LocalSpark.shared();
    Configuration session = spark.sparkContext().hadoopConfiguration();
    session.set("fs.s3a.endpoint", "http://minio.example:9000");
    try {
      Map<String, String> captured = HadoopConf.capture(spark);
      assertThat(captured).containsEntry("fs.s3a.endpoint", "http://minio.example:9000");
      // only what differs from Hadoop's defaults travels with each task
      assertThat(captured).doesNotContainKey("fs.defaultFS");
      assertThat(HadoopConf.restore(captured).get("fs.s3a.endpoint")).isEqualTo("http://minio.example:9000");
      assertThat(HadoopConf.restore(captured).get("fs.defaultFS")).isEqualTo("file:///");
    } finally {
      session.unset("fs.s3a.endpoint");
    }
  }
}
