package org.bitnetspark.spark.sql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.spark.BitNetOptions;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.model.ModelDistribution;
import org.bitnetspark.spark.model.ModelLocator;
import org.bitnetspark.spark.model.ModelRef;

/**
 * The settings a SQL function call runs with: the session's {@code spark.bitnet.*} values, read when
 * the query is analysed, one engine thread per task thread. Executors read the model from its path
 * (the bundled one from the jar); the driver checks each model file once.
 */
final class SqlSettings {
  private static final Map<String, ModelRef> CHECKED = new ConcurrentHashMap<>();

  private SqlSettings() {}

  static JobSettings current() {
    SparkSession spark = SparkSession.active();
    BitNetOptions options = BitNetOptions.of(spark).threadsPerTask(1);
    String location = options.modelLocation();
    ModelRef ref = CHECKED.computeIfAbsent(location, l -> {
      try {
        return ModelLocator.locate(JavaSparkContext.fromSparkContext(spark.sparkContext()), l, ModelDistribution.PATH).ref();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read model " + l + ": " + e.getMessage(), e);
      }
    });
    return options.settings(ref);
  }
}
