package org.bitnetspark.engine.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.synth.ModelShape;
import org.bitnetspark.engine.synth.SyntheticModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes a deterministic random-weight BitNet GGUF of a real model's shape. */
@Command(name = "synth", mixinStandardHelpOptions = true,
    description = "Write a deterministic random-weight BitNet GGUF with the shape of a real model "
        + "(tiny, 700m = bitnet_b1_58-large, 3b, 2b4t = BitNet-b1.58-2B-4T, 8b = Llama3-8B-1.58), for benchmarks "
        + "and tests where text quality does not matter.")
final class SynthCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "PATH", description = "Output file.")
  Path out;

  @Option(names = "--shape", required = true, paramLabel = "SHAPE", description = "tiny, 700m, 3b, 2b4t or 8b.")
  String shape;

  @Option(names = "--type", paramLabel = "TYPE", defaultValue = "tq2_0",
      description = "Ternary weight type: tq2_0, tq1_0, i2_s or f32 (default: ${DEFAULT-VALUE}).")
  String type;

  @Option(names = "--embedding-type", paramLabel = "TYPE", defaultValue = "f16",
      description = "Type of the embedding, which is also the tied output head: f16 (as Microsoft ships 2B-4T) or q8_0 "
          + "(default: ${DEFAULT-VALUE}).")
  String embeddingType;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ModelShape s = ModelShape.parse(shape);
    GgmlType t;
    try {
      t = GgmlType.valueOf(type.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("type '" + type + "' is not one of tq2_0, tq1_0, i2_s, f32");
    }
    SyntheticModel model = new SyntheticModel(s, t, SyntheticModel.parseEmbeddingType(embeddingType), seed);
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    long start = System.nanoTime();
    model.write(out);
    spec.commandLine().getOut().printf("wrote %s: shape %s, %s, %,d ternary parameters, %,d bytes in %.1f s%n", out,
        s.optionName(), t, s.ternaryParameters(), Files.size(out), (System.nanoTime() - start) / 1e9);
    return 0;
  }
}
