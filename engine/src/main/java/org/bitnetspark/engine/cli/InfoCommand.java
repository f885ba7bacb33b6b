package org.bitnetspark.engine.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.checkpoint.ModelInputs;
import org.bitnetspark.engine.model.ModelConfig;
import org.bitnetspark.engine.model.ModelInspection;
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
    try (GgufFile f = GgufReader.read(ModelInputs.open(model.model))) {
      out.printf("file: %s (%,d bytes, GGUF v%d, alignment %d)%n", f.uri(), f.fileSize(), f.version(), f.alignment());
      out.println("metadata:");
      ModelInspection.metadata(f).forEach((k, v) -> out.printf("  %-45s %s%n", k, v));
      Tokenizer tokenizer = Tokenizers.fromGguf(f.uri(), f.metadata());
      ModelConfig c = ModelConfig.fromGguf(f.uri(), f.metadata(), tokenizer.vocabSize());
      out.printf("config: %s%n", c);
      out.printf("tensors (%d):%n", f.tensors().size());
      long resident = 0;
      long ternaryParams = 0;
      long ternaryBytes = 0;
      for (ModelInspection.Tensor t : ModelInspection.tensors(f)) {
        out.printf("  %-32s %-6s %-18s %,14d bytes %6.3f bits/weight%n", t.name(), t.type(), t.shape(), t.fileBytes(),
            t.bitsPerWeight());
        resident += t.residentBytes();
        if (t.ternary()) {
          ternaryParams += t.elements();
          ternaryBytes += t.fileBytes();
        }
      }
      long kvPerToken = 2L * c.layers() * c.kvDim();
      out.printf("ternary parameters: %,d (%.2f bits/weight in this file)%n", ternaryParams,
          ternaryParams == 0 ? 0 : 8.0 * ternaryBytes / ternaryParams);
      out.printf("memory: weights ~%,d bytes resident (%.2fx the file); KV cache %,d bytes per token with f16 "
          + "(%,d for the full %d-token context)%n", resident, (double) resident / f.fileSize(), kvPerToken * 2,
          kvPerToken * 2 * c.contextLength(), c.contextLength());
      return 0;
    }
  }
}
