package org.bitnetspark.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.engine.eval.PerplexityScorer;
import org.bitnetspark.engine.generate.SamplingParams;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.KvCache;
import org.bitnetspark.spark.jobs.EvalInput;
import org.bitnetspark.spark.jobs.EvalSettings;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.model.ModelDistribution;
import org.bitnetspark.spark.model.ModelRef;

/**
 * Options of the Dataset API ({@link BitNet}), set fluently; what is not set comes from the session's
 * {@code spark.bitnet.*} settings ({@link BitNetConf}), then the defaults. Driver-side only.
 *
 * <pre>{@code
 * Dataset<Row> out = BitNet.generate(prompts, BitNetOptions.of(spark).model("hdfs:///models/m.gguf").maxTokens(64));
 * }</pre>
 */
public final class BitNetOptions {
  private final SparkSession spark;
  String model;
  String distribution;
  String activationQuant;
  String kvCache;
  Integer batchSize;
  Integer threadsPerTask;
  Integer maxTokens;
  Float temperature;
  Integer topK;
  Float topP;
  Float minP;
  Float repeatPenalty;
  Long seed;
  List<String> stop = new ArrayList<>();
  String promptOverflow;
  String method;
  Integer ctx;
  Integer stride;
  String idColumn = "id";
  String textColumn;
  String optionsColumn;
  String separator;
  boolean shareContext = true;
  String columns;
  String taskName;

  private BitNetOptions(SparkSession spark) {
    this.spark = spark;
  }

  public static BitNetOptions of(SparkSession spark) {
    return new BitNetOptions(spark);
  }

  public BitNetOptions model(String v) { model = v; return this; }
  public BitNetOptions distribution(String v) { distribution = v; return this; }
  public BitNetOptions activationQuant(String v) { activationQuant = v; return this; }
  public BitNetOptions kvCache(String v) { kvCache = v; return this; }
  public BitNetOptions batchSize(int v) { batchSize = v; return this; }
  public BitNetOptions threadsPerTask(int v) { threadsPerTask = v; return this; }
  public BitNetOptions maxTokens(int v) { maxTokens = v; return this; }
  public BitNetOptions temperature(float v) { temperature = v; return this; }
  public BitNetOptions topK(int v) { topK = v; return this; }
  public BitNetOptions topP(float v) { topP = v; return this; }
  public BitNetOptions minP(float v) { minP = v; return this; }
  public BitNetOptions repeatPenalty(float v) { repeatPenalty = v; return this; }
  public BitNetOptions seed(long v) { seed = v; return this; }
  public BitNetOptions stop(String v) { stop.add(v); return this; }
  /** error or truncate: what to do with a prompt longer than the context. */
  public BitNetOptions promptOverflow(String v) { promptOverflow = v; return this; }
  public BitNetOptions method(String v) { method = v; return this; }
  public BitNetOptions ctx(int v) { ctx = v; return this; }
  public BitNetOptions stride(int v) { stride = v; return this; }
  /** The id column; without one in the input, rows are numbered by position. */
  public BitNetOptions idColumn(String v) { idColumn = v; return this; }
  /** The text column (default {@code prompt} for generation, {@code text} for perplexity). */
  public BitNetOptions textColumn(String v) { textColumn = v; return this; }
  /** A column of per-row generation options (JSON object string or map). */
  public BitNetOptions optionsColumn(String v) { optionsColumn = v; return this; }
  /** evaluate: joins a context and each choice (default one space). */
  public BitNetOptions separator(String v) { separator = v; return this; }
  /** evaluate: reuse each task's context KV cache for all its choices (default true). */
  public BitNetOptions shareContext(boolean v) { shareContext = v; return this; }
  /** evaluate: {@code field=column,...} mapping of id, task, context, choices, gold, prompt, references. */
  public BitNetOptions columns(String v) { columns = v; return this; }
  /** evaluate: the task of rows without a task column (default {@code default}). */
  public BitNetOptions taskName(String v) { taskName = v; return this; }

  public String modelLocation() {
    return model != null ? model : BitNetConf.get(spark, BitNetConf.MODEL, BitNetConf.MODEL_DEFAULT);
  }

  public ModelDistribution modelDistribution() {
    return ModelDistribution.parse(distribution != null ? distribution
        : BitNetConf.get(spark, BitNetConf.MODEL_DISTRIBUTION, BitNetConf.MODEL_DISTRIBUTION_DEFAULT));
  }

  public String idColumn() {
    return idColumn;
  }

  public String textColumnOr(String defaultColumn) {
    return textColumn != null ? textColumn : defaultColumn;
  }

  public String optionsColumn() {
    return optionsColumn;
  }

  /** The checked task settings for a model reference. */
  public JobSettings settings(ModelRef ref) {
    String aq = activationQuant != null ? activationQuant
        : BitNetConf.get(spark, BitNetConf.ACTIVATION_QUANT, BitNetConf.ACTIVATION_QUANT_DEFAULT);
    String kv = kvCache != null ? kvCache : BitNetConf.get(spark, BitNetConf.KV_CACHE, BitNetConf.KV_CACHE_DEFAULT);
    ActivationQuant.parse(aq);
    KvCache.Type.parse(kv);
    int batch = batchSize != null ? batchSize : BitNetConf.getInt(spark, BitNetConf.BATCH_SIZE, BitNetConf.BATCH_SIZE_DEFAULT);
    if (batch < 1) throw new IllegalArgumentException("batch size " + batch + " must be at least 1");
    int threads = threadsPerTask != null ? threadsPerTask
        : BitNetConf.getInt(spark, BitNetConf.THREADS_PER_TASK, BitNetConf.THREADS_PER_TASK_DEFAULT);
    if (threads <= 0) threads = spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
    int max = maxTokens != null ? maxTokens : BitNetConf.getInt(spark, BitNetConf.MAX_TOKENS, BitNetConf.MAX_TOKENS_DEFAULT);
    if (max < 1) throw new IllegalArgumentException("max tokens " + max + " must be at least 1");
    SamplingParams sampling = new SamplingParams(
        temperature != null ? temperature : BitNetConf.getFloat(spark, BitNetConf.TEMPERATURE, BitNetConf.TEMPERATURE_DEFAULT),
        topK != null ? topK : BitNetConf.getInt(spark, BitNetConf.TOP_K, BitNetConf.TOP_K_DEFAULT),
        topP != null ? topP : BitNetConf.getFloat(spark, BitNetConf.TOP_P, BitNetConf.TOP_P_DEFAULT),
        minP != null ? minP : BitNetConf.getFloat(spark, BitNetConf.MIN_P, BitNetConf.MIN_P_DEFAULT),
        repeatPenalty != null ? repeatPenalty
            : BitNetConf.getFloat(spark, BitNetConf.REPEAT_PENALTY, BitNetConf.REPEAT_PENALTY_DEFAULT),
        64, seed != null ? seed : BitNetConf.getLong(spark, BitNetConf.SEED, BitNetConf.SEED_DEFAULT));
    String overflow = promptOverflow != null ? promptOverflow
        : BitNetConf.get(spark, BitNetConf.PROMPT_OVERFLOW, BitNetConf.PROMPT_OVERFLOW_DEFAULT);
    String m = method != null ? method
        : BitNetConf.get(spark, BitNetConf.PERPLEXITY_METHOD, BitNetConf.PERPLEXITY_METHOD_DEFAULT);
    PerplexityScorer.Method.parse(m);
    int c = ctx != null ? ctx : BitNetConf.getInt(spark, BitNetConf.PERPLEXITY_CTX, BitNetConf.PERPLEXITY_CTX_DEFAULT);
    int s = stride != null ? stride
        : BitNetConf.getInt(spark, BitNetConf.PERPLEXITY_STRIDE, BitNetConf.PERPLEXITY_STRIDE_DEFAULT);
    return new JobSettings(ref, aq, kv, threads, batch, max, sampling.temperature(), sampling.topK(), sampling.topP(),
        sampling.minP(), sampling.repeatPenalty(), sampling.seed(), stop, overflow, m, c, s,
        new EvalSettings(separator, shareContext));
  }

  /**
   * The evaluate job's settings: as {@link #settings}, except that generation rows decode greedily with
   * at most 32 tokens up to a newline unless temperature, max tokens or stop strings were set here.
   */
  public JobSettings evaluationSettings(ModelRef ref) {
    JobSettings s = settings(ref);
    return new JobSettings(s.model(), s.activationQuant(), s.kvCache(), s.threadsPerTask(), s.batchSize(),
        maxTokens != null ? s.maxTokens() : 32, temperature != null ? s.temperature() : 0f, s.topK(), s.topP(),
        s.minP(), s.repeatPenalty(), s.seed(), stop.isEmpty() ? List.of("\n") : s.stopStrings(), s.promptOverflow(),
        s.perplexityMethod(), s.perplexityContext(), s.perplexityStride(), s.eval());
  }

  /** evaluate: the column mapping. */
  public java.util.Map<String, String> columnMapping() {
    return EvalInput.parseColumns(columns);
  }

  public String taskNameOr(String defaultName) {
    return taskName != null ? taskName : defaultName;
  }
}
