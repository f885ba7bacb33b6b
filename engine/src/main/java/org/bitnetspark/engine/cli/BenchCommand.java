package org.bitnetspark.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.bitnetspark.engine.bench.EngineBenchmark;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.io.ModelSource;
import org.bitnetspark.engine.checkpoint.ModelInputs;
import org.bitnetspark.engine.io.ModelSources;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.engine.synth.ModelShape;
import org.bitnetspark.engine.synth.SyntheticModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Measures the engine's speed against the machine's bandwidth, all in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure, in one run: read bandwidth, decode tokens/s at batch 1 (and as a fraction of the "
        + "bandwidth), prefill tokens/s, batched decode, vector vs scalar kernels, resident memory vs file size.")
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "PATH", description = "A model file (or 'default').")
  String model;

  @Option(names = "--shape", paramLabel = "SHAPE", description = "Synthesise a model of this shape instead "
      + "(tiny, 700m, 3b, 2b4t, 8b), written to a temporary file.")
  String shape;

  @Option(names = "--type", paramLabel = "TYPE", defaultValue = "tq2_0", description = "Type for --shape (default: ${DEFAULT-VALUE}).")
  String type;

  @Option(names = "--embedding-type", paramLabel = "TYPE", defaultValue = "f16",
      description = "For --shape: type of the embedding, which is also the tied output head: f16 (as Microsoft "
          + "ships 2B-4T) or q8_0 (default: ${DEFAULT-VALUE}).")
  String embeddingType;

  @Option(names = "--threads", split = ",", paramLabel = "N,N", defaultValue = "1",
      description = "Thread counts to measure (default: ${DEFAULT-VALUE}).")
  int[] threads;

  @Option(names = "--batch", split = ",", paramLabel = "N,N", defaultValue = "4,16,64",
      description = "Batch sizes for batched decode (default: ${DEFAULT-VALUE}).")
  int[] batches;

  @Option(names = "--activation-quant", paramLabel = "MODE", defaultValue = "per-token", description = "(default: ${DEFAULT-VALUE})")
  String activationQuant;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "16", description = "Decode steps per measurement (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--context", paramLabel = "N", defaultValue = "4",
      description = "Positions already in each sequence's KV cache when decoding is measured, at batch 1 and "
          + "batched; attention reads them all every step, so long contexts measure it (default: ${DEFAULT-VALUE}).")
  int context;

  @Option(names = "--json", description = "Print one JSON object (a list of them for several thread counts).")
  boolean json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if ((model == null) == (shape == null)) throw new IllegalArgumentException("give exactly one of --model, --shape");
    ActivationQuant aq = ActivationQuant.parse(activationQuant);
    Path synthesized = null;
    String location = model;
    if (shape != null) {
      ModelShape s = ModelShape.parse(shape);
      synthesized = Files.createTempFile("bitnet-bench-" + s.optionName(), ".gguf");
      new SyntheticModel(s, GgmlType.valueOf(type.toUpperCase(Locale.ROOT)),
          SyntheticModel.parseEmbeddingType(embeddingType), 1).write(synthesized);
      location = synthesized.toString();
    }
    try {
      long fileBytes;
      try (ModelSource source = ModelInputs.open(location)) {
        fileBytes = source.size();
      }
      BitNetModel m = ModelLoader.load(location);
      EngineBenchmark bench = new EngineBenchmark(m, fileBytes, aq, steps, context);
      List<Map<String, Object>> results = new ArrayList<>();
      PrintWriter err = spec.commandLine().getErr();
      for (int t : threads) {
        Map<String, Object> r = bench.run(t, batches);
        results.add(r);
        err.printf("threads %d: bandwidth %.1f GB/s (best of %s); decode (context %d) %.2f tokens/s (best of %s) = %.2f of "
            + "bandwidth (%,d bytes/token); prefill %.1f tokens/s (%.2fx decode); vector/scalar %.2fx; batch speedup %s; "
            + "resident/file %.2f%n", t, r.get("bandwidth_gb_s"), samples(r.get("bandwidth_samples_gb_s")),
            r.get("decode_context"), r.get("decode_tokens_per_s"), samples(r.get("decode_samples_tokens_per_s")),
            r.get("decode_bandwidth_ratio"), r.get("model_bytes"),
            r.get("prefill_tokens_per_s"), r.get("prefill_over_decode"), r.getOrDefault("vector_over_scalar", Double.NaN),
            r.get("batch_speedup"), r.get("resident_over_file"));
        err.printf("  decode step time by stage: %s%s%n", r.get("decode_stage_fractions"),
            Boolean.TRUE.equals(r.get("transparent_huge_pages")) ? ""
                : " (without -XX:+UseTransparentHugePages: weights on 4 KB pages)");
      }
      if (json) {
        ObjectMapper mapper = new ObjectMapper();
        spec.commandLine().getOut().println(mapper.writeValueAsString(results.size() == 1 ? results.get(0) : results));
      }
      return 0;
    } finally {
      if (synthesized != null) Files.deleteIfExists(synthesized);
    }
  }

  /** A list of measured samples, one decimal place each: "11.7, 7.8, 11.5". */
  private static String samples(Object list) {
    return ((List<?>) list).stream().map(v -> String.format(Locale.ROOT, "%.1f", (Double) v))
        .collect(Collectors.joining(", "));
  }
}
