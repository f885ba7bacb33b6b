package org.bitnetspark.spark.jobs;

import static org.bitnetspark.spark.testing.DatasetAssertions.byKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.engine.eval.PerplexityResult;
import org.bitnetspark.spark.metrics.JobSummary;
import org.bitnetspark.spark.model.ModelDistribution;
import org.bitnetspark.spark.model.ModelRef;
import org.bitnetspark.spark.testing.LocalSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LocalSpark.class)
class PerplexityJobTest {
  @TempDir
  Path dir;

  static JobSettings settings(ModelRef ref, String aq, String kv, String method, int ctx) {
    return new JobSettings(ref, aq, kv, 1, 1, 1, 0f, 0, 1f, 0f, 1f, 0, List.of(), "error", method, ctx, 0);
  }

  private static JobSummary run(SparkSession spark, Path input, String format, String output, String model,
      java.util.function.Function<ModelRef, JobSettings> settings) throws Exception {
    return BatchJob.run(spark, BatchJob.Kind.PERPLEXITY, new InputSpec(input.toString(), format, "id", "text", null),
        new OutputSpec(output, "parquet", "error", null), model, ModelDistribution.AUTO, settings, 0,
        new PrintStream(new ByteArrayOutputStream(), true));
  }

  /** Per-document perplexity equals the engine's sliding-window scoring of each text; empty texts fail alone. */
  @Test
  void scoresEachDocumentLikeTheEngineAndCombinesByTokens(SparkSession spark) throws Exception {
    String[] docs = {"ROMEO:\nBut, soft! what light through yonder window breaks?", "",
        "JULIET:\nO Romeo, Romeo! wherefore art thou Romeo?\nDeny thy father and refuse thy name;".repeat(6),
        "KING HENRY VI:\nWhat, is my lord of Gloucester come?"};
    StringBuilder json = new StringBuilder();
    for (int i = 0; i < docs.length; i++) {
      json.append(new ObjectMapper().createObjectNode().put("id", "d" + i).put("text", docs[i])).append('\n');
    }
    Path input = dir.resolve("docs.jsonl");
    Files.writeString(input, json);
    String out = dir.resolve("ppl").toString();
    JobSummary summary = run(spark, input, "json", out, "default", ref -> settings(ref, "per-token", "f16", "sliding", 64));
    Map<String, Row> rows = byKey(spark.read().parquet(out), "id");
    assertEquals(4, rows.size());
    assertTrue(rows.get("d1").<String>getAs("error").contains("empty"));
    double nll = 0;
    long tokens = 0;
    JobSettings s = settings(new ModelRef("default", 0, 0, null), "per-token", "f16", "sliding", 64);
    try (BitNetEngine engine = BitNetEngine.open("default", s.engineOptions())) {
      for (int i : new int[] {0, 2, 3}) {
        int[] ids = engine.model().tokenizer().encode(docs[i], true, false);
        PerplexityResult expected = engine.newPerplexityScorer().sliding(ids, 64, 32, null);
        Row r = rows.get("d" + i);
        assertNull(r.getAs("error"));
        assertEquals(expected.tokensScored(), r.<Long>getAs("tokens_scored"));
        assertEquals(expected.nllSum(), r.<Double>getAs("nll_sum"), 1e-9, "d" + i);
        nll += expected.nllSum();
        tokens += expected.tokensScored();
      }
    }
    assertEquals(Math.exp(nll / tokens), summary.corpusPerplexity(), 1e-9, "token-weighted corpus perplexity");
    assertEquals(1, summary.errors());
  }

  /**
   * The whole 24k-byte text as one row with llama-perplexity's method reproduces llama.cpp's number
   * for the F32 model (1e-4 on the mean NLL, as in the engine's reference test); the model is read
   * from its path.
   */
  @Test
  void matchesLlamaPerplexityOnTheSharedText(SparkSession spark) throws Exception {
    Path shared = Path.of(System.getProperty("bitnet.shared.dir", "../shared"));
    Path text = shared.resolve("data/text/tinyshakespeare-24k.txt");
    assumeTrue(Files.exists(text), "no " + text + "; skipping llama.cpp reference test");
    JsonNode ref = new ObjectMapper().readTree(shared.resolve("data/reference/perplexity-tiny-bitnet-spm-f32.json").toFile());
    Path input = dir.resolve("corpus.jsonl");
    Files.writeString(input, new ObjectMapper().createObjectNode().put("id", "all")
        .put("text", Files.readString(text, StandardCharsets.UTF_8)).toString());
    String model = shared.resolve("models/tiny-bitnet-spm-f32.gguf").toAbsolutePath().toUri().toString();
    String out = dir.resolve("ppl-ref").toString();
    JobSummary summary = run(spark, input, "json", out, model, r -> settings(r, "none", "f32", "chunks", 128));
    Row row = spark.read().parquet(out).first();
    assertEquals(ref.get("n_chunk").asInt() * 63L, row.<Long>getAs("tokens_scored"));
    assertEquals(ref.get("mean_nll").asDouble(), row.<Double>getAs("nll_sum") / row.<Long>getAs("tokens_scored"), 1e-4);
    assertEquals(ref.get("final_ppl").asDouble(), summary.corpusPerplexity(), ref.get("final_ppl").asDouble() * 1e-4);
  }
}
