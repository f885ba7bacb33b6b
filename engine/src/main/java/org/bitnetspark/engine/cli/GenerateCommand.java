package org.bitnetspark.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.engine.generate.GenerationRequest;
import org.bitnetspark.engine.generate.GenerationResult;
import org.bitnetspark.engine.generate.SamplingParams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Generates a completion, streaming the text as it is produced. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Complete a prompt. Streams text to stdout; statistics go to stderr.")
final class GenerateCommand implements Callable<Integer> {
  @Mixin
  RunOptions run;

  @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The prompt.")
  String prompt;

  @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "" + GenerationRequest.DEFAULT_MAX_TOKENS,
      description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
      description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
  float temperature;

  @Option(names = "--top-k", paramLabel = "K", defaultValue = "40", description = "Top-k; 0 disables (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95", description = "Top-p; 1 disables (default: ${DEFAULT-VALUE}).")
  float topP;

  @Option(names = "--min-p", paramLabel = "P", defaultValue = "0.05", description = "Min-p; 0 disables (default: ${DEFAULT-VALUE}).")
  float minP;

  @Option(names = "--repeat-penalty", paramLabel = "X", defaultValue = "1.0",
      description = "Repetition penalty over the last 64 tokens; 1 disables (default: ${DEFAULT-VALUE}).")
  float repeatPenalty;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "" + SamplingParams.DEFAULT_SEED,
      description = "Random seed; the same seed gives the same text (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when this text appears (repeatable); it is not printed.")
  List<String> stop;

  @Option(names = "--json", description = "Print one JSON object: prompt_tokens, tokens, text, finish_reason.")
  boolean json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SamplingParams sampling = new SamplingParams(temperature, topK, topP, minP, repeatPenalty, 64, seed);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    GenerationRequest.TokenListener stream = json ? null : text -> {
      out.print(text);
      out.flush();
    };
    GenerationRequest request = new GenerationRequest("cli", prompt, maxTokens, sampling, stop, stream);
    try (BitNetEngine engine = run.openEngine()) {
      GenerationResult r = engine.generate(request);
      if (r.error() != null) throw new IllegalArgumentException(r.error());
      if (json) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.set("prompt_tokens", m.valueToTree(r.promptTokens()));
        o.set("tokens", m.valueToTree(r.tokens()));
        o.put("text", r.text());
        o.put("finish_reason", r.finishReason().label());
        out.println(m.writeValueAsString(o));
      } else {
        out.println();
        double seconds = r.latencyNanos() / 1e9;
        err.printf("%d prompt + %d generated tokens in %.2f s (%.1f tokens/s), finish: %s%n", r.promptTokens().length,
            r.tokens().length, seconds, (r.promptTokens().length + r.tokens().length) / seconds, r.finishReason().label());
      }
      return 0;
    }
  }
}
