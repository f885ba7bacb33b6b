package org.bitnetspark.spark.sql;

import java.util.function.Function;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.ApplyFunctionExpression;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.connector.catalog.functions.ScalarFunction;
import org.bitnetspark.spark.jobs.JobSettings;
import scala.Function1;
import scala.Tuple3;
import scala.collection.immutable.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * {@code spark.sql.extensions=org.bitnetspark.spark.sql.BitNetSparkExtensions} registers
 * {@code bitnet_generate(prompt[, options])}, {@code bitnet_perplexity(text)} and
 * {@code bitnet_tokenize(text)} for SQL, and through {@code expr}/{@code call_function} for Scala,
 * Java and PySpark. Registration does nothing expensive: the model is checked when a query using a
 * function is analysed, and loaded once per executor JVM when it runs.
 */
public final class BitNetSparkExtensions extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    register(extensions, "bitnet_generate", GenerateFunction.class, 1, 2,
        "_FUNC_(prompt[, options]) - Completes the prompt with the session's BitNet model (spark.bitnet.model); "
            + "options is a JSON object (max_tokens, temperature, top_k, top_p, min_p, repeat_penalty, seed, stop). "
            + "Returns struct<completion, finish_reason, prompt_tokens, completion_tokens, error>.",
        (s, n) -> new GenerateFunction(s, n == 2));
    register(extensions, "bitnet_perplexity", PerplexityFunction.class, 1, 1,
        "_FUNC_(text) - Perplexity of the text under the session's BitNet model. "
            + "Returns struct<perplexity, tokens_scored, nll_sum, error>.",
        (s, n) -> new PerplexityFunction(s));
    register(extensions, "bitnet_tokenize", TokenizeFunction.class, 1, 1,
        "_FUNC_(text) - Token ids of the text under the session's BitNet model's tokenizer.",
        (s, n) -> new TokenizeFunction(s));
    return BoxedUnit.UNIT;
  }

  /** Makes the bound function for the current settings and argument count. */
  @FunctionalInterface
  private interface Binder {
    ScalarFunction<?> bind(JobSettings settings, int arguments);
  }

  private static void register(SparkSessionExtensions extensions, String name, Class<?> impl, int minArgs, int maxArgs,
      String usage, Binder binder) {
    Function<Seq<Expression>, Expression> build = children -> {
      int n = children.size();
      if (n < minArgs || n > maxArgs) {
        throw new IllegalArgumentException(name + " takes " + (minArgs == maxArgs ? minArgs : minArgs + " or " + maxArgs)
            + " argument(s), got " + n);
      }
      return new ApplyFunctionExpression(binder.bind(SqlSettings.current(), n), children);
    };
    Function1<Seq<Expression>, Expression> builder = new AbstractFunction1<>() {
      @Override
      public Expression apply(Seq<Expression> children) {
        return build.apply(children);
      }
    };
    extensions.injectFunction(new Tuple3<>(new FunctionIdentifier(name),
        new ExpressionInfo(impl.getName(), null, name, usage, ""), builder));
  }
}
