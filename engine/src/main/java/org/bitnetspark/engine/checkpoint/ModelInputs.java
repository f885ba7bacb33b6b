package org.bitnetspark.engine.checkpoint;

import java.io.IOException;
import org.bitnetspark.engine.io.ModelSource;
import org.bitnetspark.engine.io.ModelSources;

/**
 * The one way a model location becomes GGUF bytes: a GGUF file (or {@code default}) as it is, a Hugging
 * Face checkpoint directory converted in memory ({@link HfCheckpoint#asGguf}). Every entry point (the
 * CLI, the Spark jobs, the SQL functions, the notebooks) opens models here.
 */
public final class ModelInputs {
  private ModelInputs() {}

  public static ModelSource open(String location) throws IOException {
    return ModelSources.isDirectory(location) ? HfCheckpoint.asGguf(location) : ModelSources.open(location);
  }
}
