package org.bitnetspark.spark.parallel;

import static org.bitnetspark.spark.testing.DatasetAssertions.assertSameRows;
import static org.bitnetspark.spark.testing.DatasetAssertions.byKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.engine.parallel.Parallelism;
import org.bitnetspark.spark.jobs.BatchJob;
import org.bitnetspark.spark.jobs.EvalInput;
import org.bitnetspark.spark.jobs.EvalSettings;
import org.bitnetspark.spark.jobs.InputSpec;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.jobs.ModelParallelism;
import org.bitnetspark.spark.jobs.OutputSpec;
import org.bitnetspark.spark.metrics.JobSummary;
import org.bitnetspark.spark.model.ModelDistribution;
import org.bitnetspark.spark.model.ModelRef;
import org.bitnetspark.spark.run.GroupPartition;
import org.bitnetspark.spark.testing.LocalSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-parallel jobs in local[4] barrier stages (ranks in one JVM, real TCP between them; the
 * multi-JVM cluster run is spark-job/src/test/cluster/standalone-cluster-test.sh): the same rows as
 * the data-parallel job, token for token, for generation and perplexity, with the model split as a
 * pipeline or sharded; per-rank statistics; a rank that dies mid-stage makes Spark retry the stage
 * and every row is still delivered.
 */
@ExtendWith(LocalSpark.class)
class ModelParallelJobTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 24;
  private static final String[] STARTS = {"ROMEO:\n", "JULIET:\nO Romeo", "KING HENRY VI:\n", "To be", "First Citizen:\n"};

  @TempDir
  static Path dir;
  static Path prompts;

  @BeforeAll
  static void writeInput() throws Exception {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < ROWS; i++) {
      String prompt = i == 5 ? "" : STARTS[i % STARTS.length] + (i % 3 == 0 ? " and more words" : "");
      lines.append(JSON.createObjectNode().put("id", String.format("r%02d", i)).put("text", prompt)).append('\n');
    }
    prompts = dir.resolve("prompts.jsonl");
    Files.writeString(prompts, lines);
  }

  /** Greedy, so the texts must be identical; sampling rows would be too (seeds come from row ids). */
  static JobSettings settings(ModelRef ref) {
    return new JobSettings(ref, "per-token", "f16", 1, 4, 12, 0f, 0, 1f, 0f, 1f, 7, List.of(), "error", "sliding", 32,
        0);
  }

  static JobSummary run(SparkSession spark, BatchJob.Kind kind, String out, String parallelism,
      ModelDistribution distribution) throws Exception {
    return BatchJob.run(spark, kind, new InputSpec(prompts.toString(), "json", "id", "text", null),
        new OutputSpec(out, "parquet", "error", null), "default", distribution, ModelParallelJobTest::settings, 0,
        ModelParallelism.of(parallelism, 0, 60), new PrintStream(new ByteArrayOutputStream(), true));
  }

  @Test
  void generationIsTokenIdenticalToDataParallel(SparkSession spark) throws Exception {
    String data = dir.resolve("gen-data").toString();
    run(spark, BatchJob.Kind.GENERATE, data, "data", ModelDistribution.BROADCAST);
    String[][] runs = {{"pipeline:2", "PATH"}, {"tensor:2", "BROADCAST"}, {"tensor:4", "PATH"}, {"pipeline:3", "BROADCAST"}};
    for (String[] r : runs) {
      String out = dir.resolve("gen-" + r[0].replace(':', '-')).toString();
      JobSummary s = run(spark, BatchJob.Kind.GENERATE, out, r[0], ModelDistribution.valueOf(r[1]));
      assertEquals(ROWS, s.rowsOut(), r[0]);
      assertEquals(1, s.errors(), r[0] + ": only the empty prompt fails");
      assertSameRows(spark.read().parquet(data), spark.read().parquet(out), "id", "completion", "completion_tokens",
          "finish_reason", "error");
      checkStats(out, Parallelism.parse(r[0]), r[1].equals("BROADCAST"));
    }
  }

  @Test
  void perplexityEqualsDataParallel(SparkSession spark) throws Exception {
    String data = dir.resolve("ppl-data").toString();
    run(spark, BatchJob.Kind.PERPLEXITY, data, "data", ModelDistribution.PATH);
    Map<String, Row> expected = byKey(spark.read().parquet(data), "id");
    for (String p : new String[] {"pipeline:2", "tensor:2"}) {
      String out = dir.resolve("ppl-" + p.replace(':', '-')).toString();
      run(spark, BatchJob.Kind.PERPLEXITY, out, p, ModelDistribution.BROADCAST);
      Map<String, Row> actual = byKey(spark.read().parquet(out), "id");
      assertEquals(expected.keySet(), actual.keySet());
      for (Map.Entry<String, Row> e : expected.entrySet()) {
        Row a = actual.get(e.getKey());
        assertEquals(e.getValue().<Object>getAs("tokens_scored"), a.getAs("tokens_scored"), e.getKey());
        if (e.getValue().getAs("error") != null) continue;
        double want = e.getValue().getAs("nll_sum");
        // same kernels on the same rows and activations: equal up to float round-off (1e-6 relative)
        assertEquals(want, a.<Double>getAs("nll_sum"), 1e-6 * Math.abs(want), p + " " + e.getKey());
      }
    }
  }

  /** Multiple-choice rows (shared-prefix cache copies mirrored on the workers) give the same log-likelihoods. */
  @Test
  void evaluationEqualsDataParallel(SparkSession spark) throws Exception {
    StringBuilder lines = new StringBuilder();
    String[] contexts = {"ROMEO:\nBut, soft! what light", "JULIET:\nO Romeo, Romeo!", "KING HENRY VI:\nWhat, is my lord"};
    for (int i = 0; i < 9; i++) {
      var row = JSON.createObjectNode().put("id", "t" + i).put("context", contexts[i % 3]).put("gold", i % 4);
      var choices = row.putArray("choices");
      for (String c : new String[] {" through yonder window breaks", " is the east", " and more", " thou art"}) {
        choices.add(c + " " + i);
      }
      lines.append(row).append('\n');
    }
    Path tasks = dir.resolve("tasks.jsonl");
    Files.writeString(tasks, lines);
    Map<String, Row> expected = null;
    for (String p : new String[] {"data", "tensor:2", "pipeline:2"}) {
      String out = dir.resolve("eval-" + p.replace(':', '-')).toString();
      JobSummary s = BatchJob.run(spark, BatchJob.Kind.EVALUATE, new EvalInput(tasks.toString(), "json", Map.of(), null),
          new OutputSpec(out, "parquet", "error", null), "default", ModelDistribution.BROADCAST,
          ref -> new JobSettings(ref, "per-token", "f16", 1, 4, 8, 0f, 0, 1f, 0f, 1f, 7, List.of(), "error", "sliding", 0,
              0, new EvalSettings(" ", true)), 0, ModelParallelism.of(p, 0, 60),
          new PrintStream(new ByteArrayOutputStream(), true));
      assertEquals(9, s.rowsOut(), p);
      Map<String, Row> rows = byKey(spark.read().parquet(out), "id");
      if (expected == null) {
        expected = rows;
        continue;
      }
      for (Map.Entry<String, Row> e : expected.entrySet()) {
        Row want = e.getValue();
        Row got = rows.get(e.getKey());
        assertNull(got.getAs("error"), p + " " + e.getKey());
        assertEquals(want.getList(want.fieldIndex("choice_logliks")), got.getList(got.fieldIndex("choice_logliks")),
            p + " " + e.getKey() + ": the same kernels on the same rows give the same log-likelihoods");
      }
    }
  }

  @Test
  void aPeerThatDiesMidStageIsRetriedAndNoRowIsLost(SparkSession spark) throws Exception {
    String out = dir.resolve("gen-killed").toString();
    spark.sparkContext().setLocalProperty(GroupPartition.KILL_RANK_PROPERTY, "0:3");
    JobSummary s;
    try {
      s = run(spark, BatchJob.Kind.GENERATE, out, "pipeline:2", ModelDistribution.BROADCAST);
    } finally {
      spark.sparkContext().setLocalProperty(GroupPartition.KILL_RANK_PROPERTY, null);
    }
    assertEquals(ROWS, s.rowsOut());
    Map<String, Row> rows = byKey(spark.read().parquet(out), "id");
    assertEquals(ROWS, rows.size());
    assertNull(rows.get("r00").getAs("error"));
    String data = dir.resolve("gen-data-2").toString();
    run(spark, BatchJob.Kind.GENERATE, data, "data", ModelDistribution.BROADCAST);
    assertSameRows(spark.read().parquet(data), spark.read().parquet(out), "id", "completion", "error");
  }

  @Test
  void impossibleSplitsFailBeforeAnyTaskWithTheReason(SparkSession spark) {
    Exception tooMany = assertThrows(IllegalArgumentException.class,
        () -> run(spark, BatchJob.Kind.GENERATE, dir.resolve("x1").toString(), "tensor:8", ModelDistribution.PATH));
    assertTrue(tooMany.getMessage().contains("task slots"), tooMany.getMessage());
    Exception layers = assertThrows(IllegalArgumentException.class,
        () -> run(spark, BatchJob.Kind.GENERATE, dir.resolve("x2").toString(), "pipeline:4", ModelDistribution.PATH));
    assertTrue(layers.getMessage().contains("layers"), layers.getMessage());
    Exception spec = assertThrows(IllegalArgumentException.class, () -> ModelParallelism.of("pipeline:x", 0, 60));
    assertTrue(spec.getMessage().contains("pipeline:2"), spec.getMessage());
  }

  private static void checkStats(String out, Parallelism p, boolean broadcast) throws Exception {
    JsonNode stats = JSON.readTree(Files.readString(Path.of(out + ".stats.json")));
    JsonNode mp = stats.get("model_parallel");
    assertEquals(p.toString(), mp.get("parallelism").asText());
    int groups = mp.get("groups").asInt();
    assertEquals(groups * p.degree(), mp.get("ranks").size(), mp.toString());
    long modelBytes = stats.get("model_file_bytes").asLong();
    for (JsonNode r : mp.get("ranks")) {
      assertTrue(r.get("bytes_sent").asLong() > 0 && r.get("bytes_received").asLong() > 0, r.toString());
      assertTrue(r.get("weight_bytes").asLong() < modelBytes, "a rank holds only its part: " + r);
    }
    assertTrue(mp.get("bytes_per_token").asDouble() >= mp.get("minimum_bytes_per_token").asDouble(), mp.toString());
    if (p.mode() == Parallelism.Mode.PIPELINE) {
      double bubble = mp.get("bubble_fraction").asDouble();
      assertTrue(bubble >= 0 && bubble < 1, mp.toString());
    }
    if (broadcast) {
      assertTrue(stats.get("broadcast_bytes").asLong() > 0, "the parts were broadcast: " + stats);
    }
  }
}
