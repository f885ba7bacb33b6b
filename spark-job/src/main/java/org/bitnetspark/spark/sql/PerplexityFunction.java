package org.bitnetspark.spark.sql;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.catalog.functions.ScalarFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.engine.eval.PerplexityResult;
import org.bitnetspark.engine.eval.PerplexityScorer;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.model.ExecutorModelCache;

/**
 * {@code bitnet_perplexity(text)}: struct (perplexity, tokens_scored, nll_sum, error), scored as the
 * perplexity job does (session method, window and stride). Sum nll_sum and tokens_scored over rows
 * for a corpus perplexity.
 */
final class PerplexityFunction implements ScalarFunction<InternalRow> {
  private static final long serialVersionUID = 1L;
  static final StructType RESULT = new StructType()
      .add("perplexity", DataTypes.DoubleType)
      .add("tokens_scored", DataTypes.LongType)
      .add("nll_sum", DataTypes.DoubleType)
      .add("error", DataTypes.StringType);

  private final JobSettings settings;

  PerplexityFunction(JobSettings settings) {
    this.settings = settings;
  }

  @Override
  public DataType[] inputTypes() {
    return new DataType[] {DataTypes.StringType};
  }

  @Override
  public DataType resultType() {
    return RESULT;
  }

  @Override
  public String name() {
    return "bitnet_perplexity";
  }

  @Override
  public InternalRow produceResult(InternalRow input) {
    String text = input.isNullAt(0) ? "" : input.getUTF8String(0).toString();
    try (BitNetEngine engine = new BitNetEngine(ExecutorModelCache.get(settings.model()).model(), settings.engineOptions())) {
      if (text.isEmpty()) throw new IllegalArgumentException("the text is empty");
      int[] tokens = engine.model().tokenizer().encode(text, true, false);
      PerplexityResult r = engine.newPerplexityScorer().score(tokens,
          PerplexityScorer.Method.parse(settings.perplexityMethod()), settings.perplexityContext(),
          settings.perplexityStride(), null);
      return new GenericInternalRow(new Object[] {r.perplexity(), r.tokensScored(), r.nllSum(), null});
    } catch (IllegalArgumentException e) {
      return new GenericInternalRow(new Object[] {null, 0L, 0.0, UTF8String.fromString(e.getMessage())});
    }
  }
}
