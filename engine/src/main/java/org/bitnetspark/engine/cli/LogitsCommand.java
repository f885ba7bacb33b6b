package org.bitnetspark.engine.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.bitnetspark.engine.BitNetEngine;
import org.bitnetspark.engine.model.Batch;
import org.bitnetspark.engine.model.KvCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints the logits of every position of a token sequence, decoded as one batch. */
@Command(name = "logits", mixinStandardHelpOptions = true,
    description = "Logits for every position of a token sequence (one batch from an empty cache).")
final class LogitsCommand implements Callable<Integer> {
  @Mixin
  RunOptions run;

  @Option(names = "--tokens", required = true, split = ",", paramLabel = "ID,ID,...", description = "Token ids.")
  int[] tokens;

  @Option(names = "--json", description = "Print {\"tokens\":[...],\"logits\":[[...],...]}: one row of vocabulary-size logits per position.")
  boolean json;

  @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Without --json: the K best tokens per position (default: ${DEFAULT-VALUE}).")
  int top;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (tokens.length == 0) throw new IllegalArgumentException("--tokens is empty");
    try (BitNetEngine engine = run.openEngine()) {
      int vocab = engine.model().config().vocabSize();
      int ctx = engine.model().config().contextLength();
      if (tokens.length > ctx) {
        throw new IllegalArgumentException(tokens.length + " tokens exceed the model's context length " + ctx);
      }
      for (int t : tokens) {
        if (t < 0 || t >= vocab) throw new IllegalArgumentException("token id " + t + " is outside the vocabulary (0.." + (vocab - 1) + ")");
      }
      Batch batch = new Batch();
      batch.addSequence(tokens, 0, KvCache.create(engine.options().kvCache(), engine.model().config(), tokens.length), true);
      float[] logits = engine.newForwardPass().forward(batch);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        JsonGenerator g = new ObjectMapper().getFactory().createGenerator(out);
        g.writeStartObject();
        g.writeFieldName("tokens");
        g.writeArray(tokens, 0, tokens.length);
        g.writeArrayFieldStart("logits");
        for (int p = 0; p < tokens.length; p++) {
          g.writeStartArray();
          for (int v = 0; v < vocab; v++) g.writeNumber(logits[p * vocab + v]);
          g.writeEndArray();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.flush();
        out.println();
      } else {
        for (int p = 0; p < tokens.length; p++) {
          Integer[] ids = new Integer[vocab];
          for (int v = 0; v < vocab; v++) ids[v] = v;
          int base = p * vocab;
          Arrays.sort(ids, (a, b) -> Float.compare(logits[base + b], logits[base + a]));
          StringBuilder line = new StringBuilder("pos " + p + " token " + tokens[p] + ":");
          for (int k = 0; k < Math.min(top, vocab); k++) {
            line.append(String.format(" %d=%.4f", ids[k], logits[base + ids[k]]));
          }
          out.println(line);
        }
      }
      return 0;
    }
  }
}
