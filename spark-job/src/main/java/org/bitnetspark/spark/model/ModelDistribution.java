package org.bitnetspark.spark.model;

import java.util.Locale;

/** How executors get the model. */
public enum ModelDistribution {
  /** The driver reads the file once and broadcasts it in chunks: no shared file system needed. */
  BROADCAST,
  /** Each executor JVM reads the file itself from the model path (HDFS, S3, a shared disk). */
  PATH,
  /** Broadcast up to {@link #AUTO_BROADCAST_LIMIT_BYTES}, read from the path above (spares the driver's heap). */
  AUTO;

  /** 2 GiB: above it a broadcast costs the driver ~3x the model in heap (docs: SPARK-NOTES.md section 3). */
  public static final long AUTO_BROADCAST_LIMIT_BYTES = 2L << 30;

  public static ModelDistribution parse(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("model-distribution '" + s + "' is not one of broadcast, path, auto");
    }
  }

  /** The concrete choice for a model of this size. */
  public ModelDistribution resolve(long modelBytes) {
    if (this != AUTO) return this;
    return modelBytes <= AUTO_BROADCAST_LIMIT_BYTES ? BROADCAST : PATH;
  }
}
