package org.bitnetspark.engine.cli;

import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.gguf.TensorInfo;
import org.bitnetspark.engine.io.ModelSources;
import org.bitnetspark.engine.model.ModelConfig;
import org.bitnetspark.engine.tokenizer.Tokenizer;
import org.bitnetspark.engine.tokenizer.Tokenizers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Describes a model file without running it. */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Metadata, tensors (type, shape, bytes, bits per weight) and the memory the model needs.")
final class InfoCommand implements Callable<Integer> {
  @Mixin
  ModelOption model;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (GgufFile f = GgufReader.read(ModelSources.open(model.model))) {
      out.printf("file: %s (%,d bytes, GGUF v%d, alignment %d)%n", f.uri(), f.fileSize(), f.version(), f.alignment());
      out.println("metadata:");
      for (Map.Entry<String, Object> e : f.metadata().asMap().entrySet()) {
        out.printf("  %-45s %s%n", e.getKey(), describe(e.getValue()));
      }
      Tokenizer tokenizer = Tokenizers.fromGguf(f.uri(), f.metadata());
      ModelConfig c = ModelConfig.fromGguf(f.uri(), f.metadata(), tokenizer.vocabSize());
      out.printf("config: %s%n", c);
      out.printf("tensors (%d):%n", f.tensors().size());
      long resident = 0;
      long ternaryParams = 0;
      for (TensorInfo t : f.tensors().values()) {
        double bpw = 8.0 * t.sizeBytes() / t.elements();
        out.printf("  %-32s %-6s %-18s %,14d bytes %6.3f bits/weight%n", t.name(), t.type(), t.shapeString(), t.sizeBytes(), bpw);
        boolean projection = t.shape().length == 2 && !t.name().startsWith("token_embd") && !t.name().startsWith("output.");
        if (projection) {
          ternaryParams += t.elements();
          // repacked to 2 bits per weight plus one f32 scale per 256 weights (or per row)
          resident += t.elements() / 4 + 4 * Math.max(t.rows(), t.elements() / 256);
        } else {
          resident += t.sizeBytes();
        }
      }
      long kvPerToken = 2L * c.layers() * c.kvDim();
      out.printf("ternary parameters: %,d (%.2f bits/weight in this file)%n", ternaryParams,
          ternaryParams == 0 ? 0 : 8.0 * projectionBytes(f) / ternaryParams);
      out.printf("memory: weights ~%,d bytes resident (%.2fx the file); KV cache %,d bytes per token with f16 "
          + "(%,d for the full %d-token context)%n", resident, (double) resident / f.fileSize(), kvPerToken * 2,
          kvPerToken * 2 * c.contextLength(), c.contextLength());
      return 0;
    }
  }

  private static long projectionBytes(GgufFile f) {
    long b = 0;
    for (TensorInfo t : f.tensors().values()) {
      if (t.shape().length == 2 && !t.name().startsWith("token_embd") && !t.name().startsWith("output.")) b += t.sizeBytes();
    }
    return b;
  }

  private static String describe(Object v) {
    if (v.getClass().isArray()) {
      int n = Array.getLength(v);
      StringBuilder s = new StringBuilder("[" + n + " values: ");
      for (int i = 0; i < Math.min(n, 5); i++) s.append(i > 0 ? ", " : "").append(Array.get(v, i));
      return s.append(n > 5 ? ", ...]" : "]").toString();
    }
    return String.valueOf(v);
  }

}
