package org.bitnetspark.spark.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.bitnetspark.spark.BitNet;
import org.bitnetspark.spark.BitNetKryoRegistrator;
import org.bitnetspark.spark.BitNetOptions;
import org.bitnetspark.spark.testing.DatasetAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SQL functions (through spark.sql.extensions) and the Dataset API, on the bundled model. */
class SqlFunctionsTest {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("sql functions")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .config("spark.kryo.registrationRequired", "true")
        .config("spark.kryo.registrator", BitNetKryoRegistrator.class.getName())
        .config("spark.sql.extensions", BitNetSparkExtensions.class.getName())
        .config("spark.bitnet.temperature", "0") // greedy: the texts are known
        .config("spark.bitnet.max-tokens", "10")
        .getOrCreate();
    StructType schema = new StructType().add("id", DataTypes.StringType).add("prompt", DataTypes.StringType);
    spark.createDataFrame(List.of(RowFactory.create("a", "ROMEO:\n"), RowFactory.create("b", "JULIET:\n"),
        RowFactory.create("c", ""), RowFactory.create("d", null)), schema).createOrReplaceTempView("prompts");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void generateFromSqlGivesTheEnginesGreedyTextAndErrorsForEmptyPrompts() {
    Map<String, Row> rows = DatasetAssertions.byKey(spark.sql(
        "SELECT id, bitnet_generate(prompt).completion AS completion, bitnet_generate(prompt).error AS error, "
            + "bitnet_generate(prompt, '{\"max_tokens\": 3}').completion_tokens AS three FROM prompts"), "id");
    // the trained model's greedy continuation of "ROMEO:\n" (shared/data/reference/README.md)
    assertTrue(rows.get("a").<String>getAs("completion").startsWith("I'll tell thee"), rows.get("a").toString());
    assertNull(rows.get("a").getAs("error"));
    assertEquals(3, rows.get("a").<Integer>getAs("three"));
    assertTrue(rows.get("c").<String>getAs("error").contains("empty"));
    assertTrue(rows.get("d").<String>getAs("error").contains("empty"));
  }

  @Test
  void tokenizeAndPerplexity() {
    Row r = spark.sql("SELECT bitnet_tokenize('Hello world') AS ids, bitnet_perplexity('ROMEO:\\nI will go.') AS p").first();
    assertEquals(List.of(1, 15043, 3186), r.getList(0), "LLaMA-2 ids, as llama-tokenize gives them");
    Row p = r.getStruct(1);
    assertNull(p.getAs("error"));
    assertTrue(p.<Double>getAs("perplexity") > 1);
    // the same score through the Dataset API
    Dataset<Row> doc = spark.sql("SELECT 'x' AS id, 'ROMEO:\\nI will go.' AS text");
    Row viaApi = BitNet.perplexity(doc, BitNetOptions.of(spark)).first();
    assertEquals(p.<Double>getAs("nll_sum"), viaApi.<Double>getAs("nll_sum"), 1e-9);
  }

  @Test
  void callableFromTheDataFrameApiToo() {
    Row r = spark.table("prompts").filter("id = 'a'")
        .select(functions.call_function("bitnet_generate", functions.col("prompt")).getField("completion")).first();
    assertTrue(r.getString(0).startsWith("I'll tell thee"), r.getString(0));
  }

  @Test
  void theDatasetApiMatchesTheSqlFunction() {
    Dataset<Row> out = BitNet.generate(spark.table("prompts"), BitNetOptions.of(spark));
    Map<String, Row> rows = DatasetAssertions.byKey(out, "id");
    Map<String, Row> sql = DatasetAssertions.byKey(spark.sql("SELECT id, bitnet_generate(prompt).completion AS completion FROM prompts"), "id");
    assertEquals(4, rows.size());
    assertEquals(sql.get("a").<String>getAs("completion"), rows.get("a").<String>getAs("completion"));
    assertEquals(sql.get("b").<String>getAs("completion"), rows.get("b").<String>getAs("completion"));
    assertEquals("error", rows.get("c").<String>getAs("finish_reason"));
  }

  @Test
  void wrongArgumentCountsAreClearErrors() {
    Exception e = assertThrows(Exception.class, () -> spark.sql("SELECT bitnet_tokenize('a', 'b')").collect());
    assertTrue(String.valueOf(e.getMessage()).contains("bitnet_tokenize takes 1 argument(s), got 2"), e.getMessage());
  }
}
