package org.bitnetspark.spark.notebook;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.checkpoint.ModelInputs;
import org.bitnetspark.engine.io.ModelSources;
import org.bitnetspark.engine.model.ModelInspection;
import org.bitnetspark.spark.BitNetSparkMain;

/**
 * What notebook paragraphs need beyond {@link org.bitnetspark.spark.BitNet} and the SQL functions,
 * as static methods that take and return plain strings and DataFrames, so a Scala paragraph is one
 * line ({@code val t = BitNetNotebook.tensors(spark, "default")}) and a {@code %sql} paragraph can chart
 * the result once it is a temp view. Nothing here holds logic of its own: model facts come from
 * {@link ModelInspection}, jobs from {@link BitNetSparkMain}, statistics from the job's JSON.
 */
public final class BitNetNotebook {
  private BitNetNotebook() {}

  /** The model's GGUF metadata: key, value. */
  public static Dataset<Row> metadata(SparkSession spark, String model) {
    List<Row> rows = new ArrayList<>();
    try (GgufFile f = GgufReader.read(ModelInputs.open(model))) {
      ModelInspection.metadata(f).forEach((k, v) -> rows.add(RowFactory.create(k, v)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model " + model + ": " + e.getMessage(), e);
    }
    return spark.createDataFrame(rows, new StructType().add("key", DataTypes.StringType).add("value", DataTypes.StringType));
  }

  /**
   * The model's tensors: name, layer (-1 outside the blocks), type, shape, elements, file_bytes,
   * bits_per_weight, resident_bytes (once loaded) and ternary (a linear-layer weight).
   */
  public static Dataset<Row> tensors(SparkSession spark, String model) {
    List<Row> rows = new ArrayList<>();
    try (GgufFile f = GgufReader.read(ModelInputs.open(model))) {
      for (ModelInspection.Tensor t : ModelInspection.tensors(f)) {
        rows.add(RowFactory.create(t.name(), t.layer(), t.type(), t.shape(), t.elements(), t.fileBytes(),
            t.bitsPerWeight(), t.residentBytes(), t.ternary()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model " + model + ": " + e.getMessage(), e);
    }
    return spark.createDataFrame(rows, new StructType().add("name", DataTypes.StringType)
        .add("layer", DataTypes.IntegerType).add("type", DataTypes.StringType).add("shape", DataTypes.StringType)
        .add("elements", DataTypes.LongType).add("file_bytes", DataTypes.LongType)
        .add("bits_per_weight", DataTypes.DoubleType).add("resident_bytes", DataTypes.LongType)
        .add("ternary", DataTypes.BooleanType));
  }

  /**
   * Runs a job in this notebook's session, exactly as {@code spark-submit ... BitNetSparkMain <args>}
   * would, and returns what it printed (progress and summary); a failed job throws with its message.
   */
  public static String runJob(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    java.io.PrintStream saved = System.err;
    java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8));
    int exit;
    try {
      exit = BitNetSparkMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    } finally {
      System.setErr(saved);
    }
    String printed = out + console.toString(java.nio.charset.StandardCharsets.UTF_8) + err;
    if (exit != 0) throw new IllegalStateException("the job failed (exit code " + exit + "):\n" + printed);
    return printed;
  }

  /**
   * A run's stages from its statistics JSON (the job's {@code --stats} file, {@code <output>.stats.json}
   * by default): stage_id, name, tasks, seconds, rows, output_tokens, rows_per_s, tokens_per_s.
   */
  public static Dataset<Row> stages(SparkSession spark, String statsPath) {
    return stats(spark, statsPath).select(functions.explode(functions.col("stages")).as("s")).select(
        functions.col("s.stage_id"), functions.col("s.name"), functions.col("s.tasks"),
        functions.col("s.duration_millis").divide(1000.0).as("seconds"), functions.col("s.rows"),
        functions.col("s.output_tokens"),
        functions.col("s.rows").divide(functions.col("s.duration_millis").divide(1000.0)).as("rows_per_s"),
        functions.col("s.output_tokens").divide(functions.col("s.duration_millis").divide(1000.0)).as("tokens_per_s"));
  }

  /**
   * A run's executors from its statistics JSON: executor_id, tasks, rows, tokens, busy_s, tokens_per_s (per
   * second busy), model_mib, peak_kv_mib, peak_heap_mib, model_loads.
   */
  public static Dataset<Row> executors(SparkSession spark, String statsPath) {
    double mib = 1 << 20;
    return stats(spark, statsPath).select(functions.explode(functions.col("executors")).as(new String[] {"k", "e"}))
        .select(functions.col("e.executor_id"), functions.col("e.tasks"), functions.col("e.rows"),
            functions.col("e.tokens"), functions.col("e.busy_nanos").divide(1e9).as("busy_s"),
            functions.col("e.tokens").divide(functions.col("e.busy_nanos").divide(1e9)).as("tokens_per_s"),
            functions.col("e.model_bytes").divide(mib).as("model_mib"),
            functions.col("e.peak_kv_bytes").divide(mib).as("peak_kv_mib"),
            functions.col("e.peak_heap_bytes").divide(mib).as("peak_heap_mib"), functions.col("e.model_loads"));
  }

  private static Dataset<Row> stats(SparkSession spark, String statsPath) {
    StructType stage = new StructType().add("stage_id", DataTypes.IntegerType).add("name", DataTypes.StringType)
        .add("tasks", DataTypes.IntegerType).add("duration_millis", DataTypes.LongType).add("rows", DataTypes.LongType)
        .add("output_tokens", DataTypes.LongType);
    StructType executor = new StructType().add("executor_id", DataTypes.StringType).add("tasks", DataTypes.LongType)
        .add("rows", DataTypes.LongType).add("tokens", DataTypes.LongType).add("busy_nanos", DataTypes.LongType)
        .add("model_bytes", DataTypes.LongType).add("model_loads", DataTypes.LongType)
        .add("model_load_millis", DataTypes.LongType).add("peak_kv_bytes", DataTypes.LongType)
        .add("peak_heap_bytes", DataTypes.LongType);
    StructType schema = new StructType().add("job", DataTypes.StringType)
        .add("stages", DataTypes.createArrayType(stage))
        .add("executors", DataTypes.createMapType(DataTypes.StringType, executor));
    return spark.read().schema(schema).option("multiLine", "true").json(statsPath);
  }
}
