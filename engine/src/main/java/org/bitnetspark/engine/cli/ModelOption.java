package org.bitnetspark.engine.cli;

import org.bitnetspark.engine.io.ModelSources;
import picocli.CommandLine.Option;

/** {@code --model}: every command that reads a model. */
final class ModelOption {
  @Option(names = "--model", paramLabel = "PATH",
      description = "GGUF model: a local path, a file: URI, a .gguf.gz file, or '" + ModelSources.DEFAULT_MODEL
          + "' for the bundled tiny-shakespeare model (default: ${DEFAULT-VALUE}).",
      defaultValue = ModelSources.DEFAULT_MODEL)
  String model;
}
