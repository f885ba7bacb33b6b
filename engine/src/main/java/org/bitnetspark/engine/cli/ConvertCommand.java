package org.bitnetspark.engine.cli;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bitnetspark.engine.checkpoint.HfCheckpoint;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.io.ModelSources;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Hugging Face checkpoint directory to one compact GGUF file. */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Convert a Hugging Face checkpoint directory (config.json, safetensors, tokenizer) to a GGUF file "
        + "with ternary projections, so that a cluster ships one compact file: full-precision weights are ternarised "
        + "with absmean, packed ones unpacked; embeddings and norms keep their type.")
final class ConvertCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint directory (a path or URI).")
  String model;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "GGUF file to write.")
  Path out;

  @Option(names = "--type", paramLabel = "TYPE", defaultValue = "i2_s",
      description = "Ternary type: i2_s (2 bits + one f32 scale per tensor: exact; bitnet.cpp's), tq2_0 or tq1_0 "
          + "(llama.cpp's; an fp16 scale per 256 weights, rows must be multiples of 256) (default: ${DEFAULT-VALUE}).")
  String type;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    GgmlType t = switch (type.toLowerCase(Locale.ROOT)) {
      case "i2_s" -> GgmlType.I2_S;
      case "tq2_0" -> GgmlType.TQ2_0;
      case "tq1_0" -> GgmlType.TQ1_0;
      default -> throw new IllegalArgumentException("type '" + type + "' is not one of i2_s, tq2_0, tq1_0");
    };
    if (!ModelSources.isDirectory(model)) {
      throw new IllegalArgumentException("--model " + model + " is not a directory; convert reads a Hugging Face "
          + "checkpoint directory (a GGUF file needs no conversion)");
    }
    long start = System.nanoTime();
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    try (HfCheckpoint c = HfCheckpoint.open(model);
        OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
      c.writeGguf(t, o);
      o.flush();
      spec.commandLine().getOut().printf("wrote %s: %s, %s projections, %,d bytes in %.1f s%n", out,
          c.architecture().ggufName(), t, Files.size(out), (System.nanoTime() - start) / 1e9);
    }
    return 0;
  }
}
