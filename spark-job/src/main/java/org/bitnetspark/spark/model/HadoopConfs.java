package org.bitnetspark.spark.model;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import scala.Tuple2;

/**
 * The Hadoop configuration for model paths: the class path's *-site.xml files plus the
 * {@code spark.hadoop.*} settings of the running Spark application (credentials for s3a, HA name
 * nodes, ...), which Spark itself applies the same way.
 */
public final class HadoopConfs {
  private HadoopConfs() {}

  public static Configuration current() {
    Configuration conf = new Configuration();
    SparkEnv env = SparkEnv.get();
    if (env != null) {
      for (Tuple2<String, String> kv : env.conf().getAll()) {
        if (kv._1().startsWith("spark.hadoop.")) conf.set(kv._1().substring("spark.hadoop.".length()), kv._2());
      }
    }
    return conf;
  }
}
