package org.bitnetspark.spark.sql;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.catalog.functions.ScalarFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.engine.generate.FinishReason;
import org.bitnetspark.engine.generate.GenerationResult;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.jobs.RowOptions;
import org.bitnetspark.spark.model.ExecutorModelCache;

/**
 * {@code bitnet_generate(prompt[, options])}: a completion as a struct (completion, finish_reason,
 * prompt_tokens, completion_tokens, error). The options are a JSON object string as in the generate
 * job's options column. The row's seed derives from the session seed and the prompt. Evaluated row by
 * row with the executor's cached model; the jobs and {@code BitNet.generate} batch whole partitions.
 */
final class GenerateFunction implements ScalarFunction<InternalRow> {
  private static final long serialVersionUID = 1L;
  static final StructType RESULT = new StructType()
      .add("completion", DataTypes.StringType)
      .add("finish_reason", DataTypes.StringType)
      .add("prompt_tokens", DataTypes.IntegerType)
      .add("completion_tokens", DataTypes.IntegerType)
      .add("error", DataTypes.StringType);

  private final JobSettings settings;
  private final boolean withOptions;

  GenerateFunction(JobSettings settings, boolean withOptions) {
    this.settings = settings;
    this.withOptions = withOptions;
  }

  @Override
  public DataType[] inputTypes() {
    return withOptions ? new DataType[] {DataTypes.StringType, DataTypes.StringType}
        : new DataType[] {DataTypes.StringType};
  }

  @Override
  public DataType resultType() {
    return RESULT;
  }

  @Override
  public String name() {
    return "bitnet_generate";
  }

  @Override
  public InternalRow produceResult(InternalRow input) {
    String prompt = input.isNullAt(0) ? "" : input.getUTF8String(0).toString();
    String options = withOptions && !input.isNullAt(1) ? input.getUTF8String(1).toString() : null;
    try (BitNetEngine engine = new BitNetEngine(ExecutorModelCache.get(settings.model()).model(), settings.engineOptions())) {
      GenerationResult r = engine.generate(RowOptions.request(settings, "sql", prompt, prompt, options));
      if (r.finishReason() == FinishReason.ERROR) return error(r.error());
      return new GenericInternalRow(new Object[] {UTF8String.fromString(r.text()),
          UTF8String.fromString(r.finishReason().label()), r.promptTokens().length, r.tokens().length, null});
    } catch (IllegalArgumentException e) {
      return error(e.getMessage());
    }
  }

  private static InternalRow error(String message) {
    return new GenericInternalRow(new Object[] {null, UTF8String.fromString(FinishReason.ERROR.label()), 0, 0,
        UTF8String.fromString(message)});
  }
}
