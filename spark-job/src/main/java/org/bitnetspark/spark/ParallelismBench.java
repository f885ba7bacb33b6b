package org.bitnetspark.spark;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.spark.jobs.BatchJob;
import org.bitnetspark.spark.jobs.InputSpec;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.jobs.ModelParallelism;
import org.bitnetspark.spark.jobs.OutputSpec;
import org.bitnetspark.spark.metrics.ExecutorStats;
import org.bitnetspark.spark.metrics.JobSummary;
import org.bitnetspark.spark.metrics.ModelParallelSummary;
import org.bitnetspark.spark.model.ModelDistribution;
import org.bitnetspark.spark.model.ModelRef;

/**
 * The generate job, greedy, on the same prompts, data-parallel and in each model-parallel mode, in
 * one run: tokens/s and the largest per-rank (per-task) weight memory as ratios to data parallelism,
 * the bytes that crossed between ranks per token against the scheme's minimum, the pipeline bubble
 * and the share of busy time blocked on peers. Each mode runs once untimed first (loads, JIT).
 */
final class ParallelismBench {
  private final String model;
  private final int rows;
  private final int maxTokens;
  private final int batchSize;

  ParallelismBench(String model, int rows, int maxTokens, int batchSize) {
    this.model = model;
    this.rows = rows;
    this.maxTokens = maxTokens;
    this.batchSize = batchSize;
  }

  void run(SparkSession spark, List<String> modes, ArrayNode out, PrintWriter console) throws Exception {
    Path dir = Files.createTempDirectory("bitnet-bench-parallelism");
    Path input = dir.resolve("prompts.jsonl");
    String[] starts = {"ROMEO:\\n", "JULIET:\\n", "KING HENRY VI:\\n", "First Citizen:\\n", "PETRUCHIO:\\n", "HAMLET:\\n"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < rows; i++) lines.add("{\"id\": \"b" + i + "\", \"prompt\": \"" + starts[i % starts.length] + "\"}");
    Files.write(input, lines);
    List<String> all = new ArrayList<>(List.of("data"));
    all.addAll(modes);
    double dataTokensPerS = 0;
    long dataWeightBytes = 0;
    int run = 0;
    for (String mode : all) {
      job(spark, input, dir.resolve("warm-" + run), mode, Math.min(rows, 8), 2); // loads the parts, warms the JIT
      long start = System.nanoTime();
      JobSummary s = job(spark, input, dir.resolve("run-" + run++), mode, rows, maxTokens);
      double seconds = (System.nanoTime() - start) / 1e9;
      double tokensPerS = (s.promptTokens() + s.outputTokens()) / seconds;
      ModelParallelSummary mp = s.modelParallel();
      long weightBytes = mp == null
          ? s.executors().values().stream().mapToLong(ExecutorStats::modelBytes).max().orElse(0)
          : mp.ranks().stream().mapToLong(ModelParallelSummary.Rank::weightBytes).max().orElse(0);
      if (mode.equals("data")) {
        dataTokensPerS = tokensPerS;
        dataWeightBytes = weightBytes;
      }
      ObjectNode o = out.addObject().put("parallelism", mode).put("seconds", seconds).put("tokens_per_s", tokensPerS)
          .put("tokens_per_s_over_data", tokensPerS / dataTokensPerS).put("max_rank_weight_bytes", weightBytes)
          .put("rank_weight_bytes_over_data", (double) weightBytes / dataWeightBytes);
      String extra = "";
      if (mp != null) {
        o.put("bytes_per_token", mp.bytesPerToken()).put("minimum_bytes_per_token", mp.minimumBytesPerToken())
            .put("bytes_over_minimum", mp.bytesPerToken() / mp.minimumBytesPerToken())
            .put("comm_fraction", mp.commFraction());
        if (mp.bubbleFraction() != null) o.put("bubble_fraction", mp.bubbleFraction());
        extra = String.format("; %.0f bytes/token crossed = %.2fx the minimum %.0f; %.0f%% blocked on peers%s",
            mp.bytesPerToken(), mp.bytesPerToken() / mp.minimumBytesPerToken(), mp.minimumBytesPerToken(),
            100 * mp.commFraction(), mp.bubbleFraction() == null ? ""
                : String.format("; bubble %.0f%% (%d micro-batches)", 100 * mp.bubbleFraction(), mp.microBatches()));
      }
      console.printf("%-11s: %8.1f tokens/s (%.2fx data), largest rank holds %,d weight bytes (%.2fx data)%s%n", mode,
          tokensPerS, tokensPerS / dataTokensPerS, weightBytes, (double) weightBytes / dataWeightBytes, extra);
    }
  }

  private JobSummary job(SparkSession spark, Path input, Path output, String mode, int limitRows, int tokens)
      throws Exception {
    Path in = input;
    if (limitRows < rows) {
      in = output.resolveSibling(output.getFileName() + "-input.jsonl");
      Files.write(in, Files.readAllLines(input).subList(0, limitRows));
    }
    return BatchJob.run(spark, BatchJob.Kind.GENERATE, new InputSpec(in.toString(), "json", "id", "prompt", null),
        new OutputSpec(output.toString(), "parquet", "error", null), model, ModelDistribution.PATH,
        ref -> settings(ref, tokens), 0, ModelParallelism.of(mode, 0, 600),
        new PrintStream(new ByteArrayOutputStream(), true));
  }

  private JobSettings settings(ModelRef ref, int tokens) {
    return new JobSettings(ref, "per-token", "f16", 1, batchSize, tokens, 0f, 0, 1f, 0f, 1f, 42, List.of(), "truncate",
        "sliding", 0, 0);
  }
}
