package org.bitnetspark.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The session settings ({@code spark.bitnet.*}) that the SQL functions and the Dataset API read, each
 * declared once with its default. Precedence: an option set in code ({@link BitNetOptions}) beats the
 * session setting, which beats the default. The job command line sets the same things with options.
 */
public final class BitNetConf {
  private BitNetConf() {}

  /** GGUF model location: a Hadoop URI, a local path, or {@code default} (the bundled model). */
  public static final String MODEL = "spark.bitnet.model";
  public static final String MODEL_DEFAULT = "default";
  /** broadcast, path or auto (Dataset API; the SQL functions always read the path). */
  public static final String MODEL_DISTRIBUTION = "spark.bitnet.model-distribution";
  public static final String MODEL_DISTRIBUTION_DEFAULT = "auto";
  /** per-token (the paper's scheme), q8k (llama.cpp's) or none. */
  public static final String ACTIVATION_QUANT = "spark.bitnet.activation-quant";
  public static final String ACTIVATION_QUANT_DEFAULT = "per-token";
  /** f16 or f32. */
  public static final String KV_CACHE = "spark.bitnet.kv-cache";
  public static final String KV_CACHE_DEFAULT = "f16";
  /** Sequences decoded together in a task. */
  public static final String BATCH_SIZE = "spark.bitnet.batch-size";
  public static final int BATCH_SIZE_DEFAULT = 16;
  /** Engine threads per task; 0 means spark.task.cpus. */
  public static final String THREADS_PER_TASK = "spark.bitnet.threads-per-task";
  public static final int THREADS_PER_TASK_DEFAULT = 0;
  /** Most generated tokens per row. */
  public static final String MAX_TOKENS = "spark.bitnet.max-tokens";
  public static final int MAX_TOKENS_DEFAULT = 128;
  public static final String TEMPERATURE = "spark.bitnet.temperature";
  public static final float TEMPERATURE_DEFAULT = 0.8f;
  public static final String TOP_K = "spark.bitnet.top-k";
  public static final int TOP_K_DEFAULT = 40;
  public static final String TOP_P = "spark.bitnet.top-p";
  public static final float TOP_P_DEFAULT = 0.95f;
  public static final String MIN_P = "spark.bitnet.min-p";
  public static final float MIN_P_DEFAULT = 0.05f;
  public static final String REPEAT_PENALTY = "spark.bitnet.repeat-penalty";
  public static final float REPEAT_PENALTY_DEFAULT = 1.0f;
  /** A prompt longer than the context: error or truncate (keep its end). */
  public static final String PROMPT_OVERFLOW = "spark.bitnet.prompt-overflow";
  public static final String PROMPT_OVERFLOW_DEFAULT = "error";
  /** Job seed; a row's seed derives from it and the row's id (SQL: the row's text). */
  public static final String SEED = "spark.bitnet.seed";
  public static final long SEED_DEFAULT = 42;
  /** Perplexity: sliding or chunks. */
  public static final String PERPLEXITY_METHOD = "spark.bitnet.perplexity.method";
  public static final String PERPLEXITY_METHOD_DEFAULT = "sliding";
  /** Perplexity window; 0 means the model's context. */
  public static final String PERPLEXITY_CTX = "spark.bitnet.perplexity.ctx";
  public static final int PERPLEXITY_CTX_DEFAULT = 0;
  /** Sliding window step; 0 means ctx/2. */
  public static final String PERPLEXITY_STRIDE = "spark.bitnet.perplexity.stride";
  public static final int PERPLEXITY_STRIDE_DEFAULT = 0;

  /** Session values as strings, with defaults: the one place strings are read from the session. */
  static String get(SparkSession spark, String key, Object defaultValue) {
    return spark.conf().get(key, String.valueOf(defaultValue));
  }

  static int getInt(SparkSession spark, String key, int defaultValue) {
    String v = get(spark, key, defaultValue);
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " = '" + v + "' is not an integer");
    }
  }

  static float getFloat(SparkSession spark, String key, float defaultValue) {
    String v = get(spark, key, defaultValue);
    try {
      return Float.parseFloat(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " = '" + v + "' is not a number");
    }
  }

  static long getLong(SparkSession spark, String key, long defaultValue) {
    String v = get(spark, key, defaultValue);
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " = '" + v + "' is not an integer");
    }
  }
}
