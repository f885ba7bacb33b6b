package org.bitnetspark.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.engine.eval.PerplexityResult;
import org.bitnetspark.engine.eval.PerplexityScorer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Perplexity of a text file, llama-perplexity's way by default. */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
    description = "Perplexity of a UTF-8 text file. The default method is llama-perplexity's (chunks of --ctx tokens, "
        + "second half of each scored), so the numbers compare with llama.cpp's.")
final class PerplexityCommand implements Callable<Integer> {
  @Mixin
  RunOptions run;

  @Option(names = "--file", required = true, paramLabel = "TEXT", description = "The text file.")
  Path file;

  @Option(names = "--ctx", paramLabel = "N", description = "Window length in tokens (default: 512, or the model's context if smaller).")
  Integer ctx;

  @Option(names = "--method", paramLabel = "M", defaultValue = "chunks",
      description = "chunks (llama-perplexity) or sliding (strided windows: every token after the first is scored "
          + "once, with at least ctx-stride tokens of context). Default: ${DEFAULT-VALUE}.")
  String method;

  @Option(names = "--stride", paramLabel = "N", description = "Sliding method: window step (default: ctx/2).")
  Integer stride;

  @Option(names = "--json", description = "Print {\"perplexity\":X,\"mean_nll\":X,\"tokens_scored\":N,\"chunks\":N}.")
  boolean json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PerplexityScorer.Method m = PerplexityScorer.Method.parse(method);
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--file " + file + " is not a readable file");
    String text = Files.readString(file, StandardCharsets.UTF_8);
    if (text.isEmpty()) throw new IllegalArgumentException("--file " + file + " is empty");
    try (BitNetEngine engine = run.openEngine()) {
      int window = ctx != null ? ctx : Math.min(512, engine.model().config().contextLength());
      int[] tokens = engine.model().tokenizer().encode(text, true, false);
      PrintWriter err = spec.commandLine().getErr();
      err.printf("%s: %d tokens, method %s, ctx %d%n", file, tokens.length, m.name().toLowerCase(), window);
      long start = System.nanoTime();
      PerplexityScorer.Progress progress = (done, total, soFar) -> {
        double seconds = (System.nanoTime() - start) / 1e9;
        double tokensPerSecond = (double) done * window / seconds;
        double eta = seconds / done * (total - done);
        err.printf("[%d/%d] PPL %.4f | %.0f tokens/s | ETA %s%n", done, total, soFar.perplexity(), tokensPerSecond,
            formatDuration(eta));
      };
      PerplexityResult r = engine.newPerplexityScorer().score(tokens, m, window, stride != null ? stride : 0, progress);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode o = mapper.createObjectNode();
        o.put("perplexity", r.perplexity());
        o.put("mean_nll", r.meanNll());
        o.put("tokens_scored", r.tokensScored());
        o.put("chunks", r.chunks());
        out.println(mapper.writeValueAsString(o));
      } else {
        out.printf("PPL = %.4f (mean NLL %.6f over %d tokens, %d windows, %.1f s)%n", r.perplexity(), r.meanNll(),
            r.tokensScored(), r.chunks(), (System.nanoTime() - start) / 1e9);
      }
      return 0;
    }
  }

  static String formatDuration(double seconds) {
    long s = Math.round(seconds);
    return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
