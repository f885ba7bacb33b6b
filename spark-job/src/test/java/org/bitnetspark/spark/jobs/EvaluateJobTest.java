package org.bitnetspark.spark.jobs;

import static org.bitnetspark.spark.testing.DatasetAssertions.byKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.engine.generate.GenerationRequest;
import org.bitnetspark.engine.generate.SamplingParams;
import org.bitnetspark.spark.metrics.JobSummary;
import org.bitnetspark.spark.metrics.TaskScore;
import org.bitnetspark.spark.model.ModelDistribution;
import org.bitnetspark.spark.model.ModelRef;
import org.bitnetspark.spark.testing.LocalSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The evaluate job in local mode: llama.cpp's accuracy on the shared tasks, both input layouts, bad rows. */
@ExtendWith(LocalSpark.class)
class EvaluateJobTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  static JobSettings settings(ModelRef ref, String aq, String kv, int batch, boolean share) {
    return new JobSettings(ref, aq, kv, 1, batch, 32, 0f, 40, 0.95f, 0.05f, 1f, 42, List.of("\n"), "error", "sliding",
        0, 0, new EvalSettings(" ", share));
  }

  static JobSummary run(SparkSession spark, EvalInput input, String output, String model,
      java.util.function.Function<ModelRef, JobSettings> settings) throws Exception {
    return BatchJob.run(spark, BatchJob.Kind.EVALUATE, input, new OutputSpec(output, "parquet", "error", null), model,
        ModelDistribution.AUTO, settings, 3, new PrintStream(new ByteArrayOutputStream(), true));
  }

  static TaskScore only(JobSummary s) {
    assertEquals(1, s.tasks().size(), "one task");
    return s.tasks().get(0);
  }

  /**
   * The trained model on the 150 shakespeare-next-line tasks, read as JSON lines and as llama.cpp's
   * HellaSwag layout: llama.cpp's accuracies exactly, its per-choice log-likelihoods within 5e-3 (the
   * engine-level ReferenceMultipleChoiceTest justifies the bound: F32 logits within 3e-4 of llama.cpp).
   */
  @Test
  void reproducesLlamaCppOnTheSharedTasksInBothLayouts(SparkSession spark) throws Exception {
    Path shared = Path.of(System.getProperty("bitnet.shared.dir", "../shared"));
    Path jsonl = shared.resolve("data/eval/shakespeare-next-line.jsonl");
    assumeTrue(Files.exists(jsonl), "no " + jsonl + "; skipping llama.cpp reference test");
    JsonNode ref = JSON.readTree(shared.resolve("data/reference/mc-tiny-shakespeare-bitnet-f32.json").toFile());
    String model = shared.resolve("models/tiny-shakespeare-bitnet-f32.gguf").toAbsolutePath().toUri().toString();

    String outJson = dir.resolve("eval-json").toString();
    JobSummary fromJson = run(spark, new EvalInput(jsonl.toString(), "json", Map.of(), null), outJson, model,
        r -> settings(r, "none", "f32", 16, true));
    String outHs = dir.resolve("eval-hs").toString();
    JobSummary fromHellaswag = run(spark, new EvalInput(shared.resolve("data/eval/shakespeare-next-line.hellaswag.txt")
        .toString(), "hellaswag", Map.of(), null), outHs, model, r -> settings(r, "none", "f32", 16, true));

    for (JobSummary s : List.of(fromJson, fromHellaswag)) {
      TaskScore t = only(s);
      assertEquals("shakespeare-next-line", t.task(), "task from the column, and from the file name");
      assertEquals(150, t.rows());
      assertEquals(0, t.errors());
      assertEquals(ref.get("acc_sum_logprob").asDouble(), t.acc(), 1e-12, "acc = llama.cpp's");
      assertEquals(ref.get("acc_mean_logprob_per_token").asDouble(), t.accPerToken(), 1e-12, "per-token acc = llama.cpp's");
      // lm-evaluation-harness's stderr of a mean of 0/1 values: sqrt(p(1-p)/(n-1)); p = 0.32, n = 150
      assertEquals(Math.sqrt(0.32 * 0.68 / 149), t.accStderr(), 1e-12);
      assertEquals(150, s.rowsOut());
    }
    Map<String, Row> json = byKey(spark.read().parquet(outJson), "id");
    Map<String, Row> hs = byKey(spark.read().parquet(outHs), "id");
    for (int i = 0; i < 150; i++) {
      Row a = json.get(String.format("shakespeare-next-line-%04d", i));
      Row b = hs.get("shakespeare-next-line-" + i);
      JsonNode choices = ref.get("tasks").get(i).get("choices");
      List<Double> ll = a.getList(a.fieldIndex("choice_logliks"));
      for (int j = 0; j < 4; j++) {
        assertEquals(choices.get(j).get("logprob").asDouble(), ll.get(j), 5e-3, "task " + i + " choice " + j);
        assertEquals(choices.get(j).get("count").asInt(), a.getList(a.fieldIndex("choice_tokens")).get(j));
      }
      assertEquals(ll, b.getList(b.fieldIndex("choice_logliks")), "the two layouts give the same task " + i);
      assertEquals(a.<Integer>getAs("gold"), b.<Integer>getAs("gold"));
      assertEquals("multiple_choice", a.getAs("type"));
    }
  }

  /**
   * lm-evaluation-harness field names through the column mapping, multiple-choice and generation rows
   * mixed, and bad rows that fail alone; the generation metrics on the engine's own greedy completion.
   */
  @Test
  void mapsColumnsMixesTaskKindsAndReportsBadRows(SparkSession spark) throws Exception {
    String completion;
    try (BitNetEngine engine = BitNetEngine.open("default", settings(null, "per-token", "f16", 1, true).engineOptions())) {
      completion = engine.generate(new GenerationRequest("g", "ROMEO:\n", 32, SamplingParams.GREEDY, List.of("\n"), null))
          .text();
    }
    assertFalse(completion.isBlank(), "the bundled model completes ROMEO's line");
    StringBuilder rows = new StringBuilder();
    rows.append(mc("m0", "ROMEO: What light through yonder window", "B", "breaks?", "is the sun.", "hath no name."));
    rows.append(mc("m1", "KING: Good morrow, my lord;", "1", "how fares your grace?", "how now"));
    rows.append(mc("m2", "KING: Good morrow, my lord;", null, "how fares your grace?", "how now")); // unlabelled
    rows.append(mc("bad-gold-range", "KING: Good morrow", "7", "a", "b"));
    rows.append(mc("bad-gold-text", "KING: Good morrow", "second", "a", "b"));
    rows.append(mc("bad-one-choice", "KING: Good morrow", "0", "a"));
    rows.append(mc("bad-long", "word ".repeat(300), "0", "a", "b"));
    rows.append(gen("g-exact", "ROMEO:\n", "  " + completion.toUpperCase() + "!"));
    rows.append(gen("g-miss", "ROMEO:\n", "zebra crossing"));
    rows.append(gen("bad-empty-prompt", "", "x"));
    rows.append(JSON.createObjectNode().put("id", "bad-neither").put("ctx", "no choices")).append('\n');
    Path input = dir.resolve("mixed.jsonl");
    Files.writeString(input, rows);
    Map<String, String> mapping = EvalInput.parseColumns(
        "context=ctx,choices=endings,gold=label,prompt=question,references=answers");

    String shared = dir.resolve("shared").toString();
    JobSummary summary = run(spark, new EvalInput(input.toString(), "json", mapping, "mixed"), shared, "default",
        r -> settings(r, "per-token", "f16", 4, true));
    Map<String, Row> out = byKey(spark.read().parquet(shared), "id");
    assertEquals(11, out.size(), "one output row per input row");
    assertEquals(11, summary.rowsOut());
    assertEquals(6, summary.errors());
    assertTrue(out.get("bad-gold-range").<String>getAs("error").contains("gold 7 is not one of the 2 choices"));
    assertTrue(out.get("bad-gold-text").<String>getAs("error").contains("neither a choice index nor a letter"));
    assertTrue(out.get("bad-one-choice").<String>getAs("error").contains("at least 2 choices"));
    assertTrue(out.get("bad-long").<String>getAs("error").contains("more than the model's context"));
    assertTrue(out.get("bad-empty-prompt").<String>getAs("error").contains("empty"));
    assertTrue(out.get("bad-neither").<String>getAs("error").contains("neither choices"));

    assertEquals(1, out.get("m0").<Integer>getAs("gold"), "gold letter B is choice 1");
    assertEquals(3, out.get("m0").getList(out.get("m0").fieldIndex("choice_logliks")).size());
    assertNull(out.get("m2").getAs("correct"), "unlabelled: no correctness");
    assertEquals(out.get("m1").<Integer>getAs("chosen"), out.get("m2").<Integer>getAs("chosen"));
    Row exact = out.get("g-exact");
    assertEquals(completion, exact.getAs("completion"), "greedy completion = the engine's");
    assertTrue(exact.<Boolean>getAs("exact_match"), "case and punctuation are normalised away");
    assertTrue(exact.<Boolean>getAs("contains"));
    assertFalse(out.get("g-miss").<Boolean>getAs("exact_match"));
    assertFalse(out.get("g-miss").<Boolean>getAs("contains"));
    TaskScore t = only(summary);
    assertEquals("mixed", t.task(), "--task-name for rows without a task column");
    assertEquals(0.5, t.exactMatch(), 1e-12, "1 of the 2 scored generation rows");
    assertEquals(4, t.scored(), "2 labelled multiple-choice rows + 2 generation rows");

    // the same log-likelihoods without the shared-context reuse, for any batch size
    String scratch = dir.resolve("scratch").toString();
    run(spark, new EvalInput(input.toString(), "json", mapping, "mixed"), scratch, "default",
        r -> settings(r, "per-token", "f16", 3, false));
    Map<String, Row> again = byKey(spark.read().parquet(scratch), "id");
    for (String id : List.of("m0", "m1", "m2")) {
      assertArrayEquals(doubles(out.get(id)), doubles(again.get(id)), 0.0, id);
    }
  }

  private static double[] doubles(Row r) {
    return r.<Double>getList(r.fieldIndex("choice_logliks")).stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static String mc(String id, String ctx, String label, String... endings) {
    ObjectNode n = JSON.createObjectNode().put("id", id).put("ctx", ctx);
    if (label != null) n.put("label", label);
    var arr = n.putArray("endings");
    for (String e : endings) arr.add(e);
    return n + "\n";
  }

  private static String gen(String id, String question, String answer) {
    ObjectNode n = JSON.createObjectNode().put("id", id).put("question", question);
    n.putArray("answers").add(answer);
    return n + "\n";
  }
}
