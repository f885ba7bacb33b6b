package org.bitnetspark.spark.jobs;

import static org.bitnetspark.spark.testing.DatasetAssertions.assertColumns;
import static org.bitnetspark.spark.testing.DatasetAssertions.assertSameRows;
import static org.bitnetspark.spark.testing.DatasetAssertions.byKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.engine.generate.GenerationResult;
import org.bitnetspark.spark.metrics.JobSummary;
import org.bitnetspark.spark.model.ModelDistribution;
import org.bitnetspark.spark.model.ModelRef;
import org.bitnetspark.spark.testing.LocalSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The generate job in local mode over a few hundred prompts, some of them bad. */
@ExtendWith(LocalSpark.class)
class GenerateJobTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 240;
  private static final String[] STARTS = {"ROMEO:\n", "JULIET:\nO Romeo", "KING HENRY VI:\n", "To be", "First Citizen:\n",
      "PETRUCHIO:\nGood morrow,", "O", "MENENIUS:\nWhy, masters"};
  /** Rows that must fail, with a word their error must contain. */
  static final Map<String, String> BAD = Map.of("r007", "empty", "r013", "empty", "r021", "context",
      "r033", "JSON", "r044", "unknown generation option 'colour'", "r055", "temperature");

  @TempDir
  static Path dir;
  static Path input;

  @BeforeAll
  static void writeInput() throws Exception {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < ROWS; i++) {
      String id = String.format("r%03d", i);
      ObjectNode row = JSON.createObjectNode().put("id", id);
      switch (id) {
        case "r007" -> row.put("prompt", "");
        case "r013" -> row.putNull("prompt");
        case "r021" -> row.put("prompt", "word ".repeat(300));
        default -> row.put("prompt", STARTS[i % STARTS.length]);
      }
      switch (id) {
        case "r033" -> row.put("options", "{not json");
        case "r044" -> row.put("options", "{\"colour\": 1}");
        case "r055" -> row.put("options", "{\"temperature\": -1}");
        case "r066" -> row.put("options", "{\"max_tokens\": 3, \"temperature\": 0, \"stop\": [\"\\n\\n\"]}");
        default -> { }
      }
      lines.append(JSON.writeValueAsString(row)).append('\n');
    }
    input = dir.resolve("prompts.jsonl");
    Files.writeString(input, lines);
  }

  static JobSettings settings(ModelRef ref) {
    return new JobSettings(ref, "per-token", "f16", 1, 8, 6, 0.8f, 40, 0.95f, 0.05f, 1f, 42, List.of(), "error", "sliding", 0, 0);
  }

  static JobSummary run(SparkSession spark, String output, int partitions, ModelDistribution distribution) throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    JobSummary s = BatchJob.run(spark, BatchJob.Kind.GENERATE,
        new InputSpec(input.toString(), "json", "id", "prompt", "options"),
        new OutputSpec(output, "parquet", "error", null), "default", distribution, GenerateJobTest::settings, partitions,
        new PrintStream(console, true));
    assertTrue(console.toString().contains("rows " + ROWS + "/" + ROWS + " (100.0%)"), "progress printed: " + console);
    return s;
  }

  @Test
  void everyRowGetsExactlyOneResultAndBadRowsCarryTheirError(SparkSession spark) throws Exception {
    String out = dir.resolve("out-a").toString();
    JobSummary summary = run(spark, out, 3, ModelDistribution.BROADCAST);
    Dataset<Row> result = spark.read().parquet(out);
    assertColumns(result, "id", "prompt", "completion", "prompt_tokens", "completion_tokens", "finish_reason", "error",
        "latency_ms", "executor_id");
    Map<String, Row> rows = byKey(result, "id");
    assertEquals(ROWS, rows.size());
    assertEquals(ROWS, summary.rowsIn());
    assertEquals(ROWS, summary.rowsOut());
    assertEquals(BAD.size(), summary.errors());
    for (Map.Entry<String, Row> e : rows.entrySet()) {
      Row r = e.getValue();
      if (BAD.containsKey(e.getKey())) {
        assertEquals("error", r.<String>getAs("finish_reason"), e.getKey());
        assertTrue(r.<String>getAs("error").contains(BAD.get(e.getKey())), e.getKey() + ": " + r.getAs("error"));
      } else {
        assertNull(r.getAs("error"), e.getKey() + ": " + r.getAs("error"));
        assertTrue(r.<Integer>getAs("completion_tokens") > 0, e.getKey());
      }
    }
    assertTrue(rows.get("r066").<Integer>getAs("completion_tokens") <= 3, "the row's own max_tokens applies");
    JsonNode stats = JSON.readTree(Files.readString(Path.of(out + ".stats.json")));
    assertEquals(ROWS, stats.get("rows_out").asInt());
    assertTrue(stats.get("output_tokens").asLong() > 0 && stats.get("tokens_per_second").asDouble() > 0, stats.toString());
    assertEquals(1, stats.get("stages").size(), "one inference stage: " + stats.get("stages"));
  }

  /** Same job seed, same text per row, whatever the partitioning and the model distribution. */
  @Test
  void outputDoesNotDependOnPartitioningOrDistribution(SparkSession spark) throws Exception {
    String a = dir.resolve("out-b").toString();
    String b = dir.resolve("out-c").toString();
    run(spark, a, 2, ModelDistribution.BROADCAST);
    run(spark, b, 7, ModelDistribution.PATH);
    assertSameRows(spark.read().parquet(a), spark.read().parquet(b), "id", "completion", "finish_reason", "error");
  }

  /** Each completion is what the engine itself generates for that row's request (same seed). */
  @Test
  void completionsEqualTheEnginesOwnGeneration(SparkSession spark) throws Exception {
    String out = dir.resolve("out-d").toString();
    run(spark, out, 4, ModelDistribution.BROADCAST);
    Map<String, Row> rows = byKey(spark.read().parquet(out), "id");
    JobSettings s = settings(new ModelRef("default", 0, 0, null));
    try (BitNetEngine engine = BitNetEngine.open("default", s.engineOptions())) {
      List<String> ids = new ArrayList<>(List.of("r000", "r001", "r002", "r066", "r100", "r239"));
      for (String id : ids) {
        Row r = rows.get(id);
        String options = id.equals("r066") ? "{\"max_tokens\": 3, \"temperature\": 0, \"stop\": [\"\\n\\n\"]}" : null;
        GenerationResult expected = engine.generate(RowOptions.request(s, "x", id, r.getAs("prompt"), options));
        assertEquals(expected.text(), r.<String>getAs("completion"), id);
        assertEquals(expected.tokens().length, r.<Integer>getAs("completion_tokens"), id);
      }
    }
  }
}
