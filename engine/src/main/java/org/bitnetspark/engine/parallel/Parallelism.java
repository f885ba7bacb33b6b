package org.bitnetspark.engine.parallel;

import java.util.Locale;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.engine.model.ModelPart;
import org.bitnetspark.engine.model.PipelinePlan;

/**
 * How a job splits a model: {@code data} (every task holds the whole model), {@code pipeline:N}
 * (N stages of contiguous layers) or {@code tensor:N} (N shards of every layer). In a model-parallel
 * group one rank, the controller, runs the scheduler or scorer and the others serve its forward steps:
 * the last stage of a pipeline (it has the logits) or shard 0.
 *
 * @param microBatches pipeline only: how many micro-batches a forward step is cut into, so the stages
 *     work on different micro-batches at once (the bubble is (N-1)/(M+N-1) of a step)
 */
public record Parallelism(Mode mode, int degree, int microBatches) implements java.io.Serializable {
  public static final int MAX_DEGREE = 64;

  public enum Mode { DATA, PIPELINE, TENSOR }

  public Parallelism {
    if (mode == Mode.DATA && degree != 1) throw new IllegalArgumentException("data parallelism has degree 1");
    if (degree < 1 || degree > MAX_DEGREE) {
      throw new IllegalArgumentException("parallelism degree " + degree + " must be between 1 and " + MAX_DEGREE);
    }
    if (microBatches < 1) throw new IllegalArgumentException("micro-batches must be at least 1, got " + microBatches);
  }

  public static final Parallelism DATA = new Parallelism(Mode.DATA, 1, 1);

  /** Parses {@code data}, {@code pipeline:N} or {@code tensor:N}; a pipeline cuts each step into 2N micro-batches. */
  public static Parallelism parse(String spec) {
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    if (s.equals("data")) return DATA;
    int colon = s.indexOf(':');
    String kind = colon < 0 ? s : s.substring(0, colon);
    if ((kind.equals("pipeline") || kind.equals("tensor")) && colon > 0) {
      int n;
      try {
        n = Integer.parseInt(s.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("parallelism '" + spec + "': '" + s.substring(colon + 1)
            + "' is not a number of executors; write e.g. " + kind + ":2");
      }
      if (n < 2 || n > MAX_DEGREE) {
        throw new IllegalArgumentException("parallelism '" + spec + "': the group needs 2.." + MAX_DEGREE
            + " executors; use data for one");
      }
      return kind.equals("pipeline") ? new Parallelism(Mode.PIPELINE, n, 2 * n) : new Parallelism(Mode.TENSOR, n, 1);
    }
    throw new IllegalArgumentException("parallelism '" + spec + "' is not one of data, pipeline:N, tensor:N "
        + "(N executors per model copy, e.g. pipeline:2 or tensor:4)");
  }

  public Parallelism withMicroBatches(int m) {
    return new Parallelism(mode, degree, m);
  }

  public boolean isModelParallel() {
    return mode != Mode.DATA;
  }

  /** The rank that runs the scheduler: the pipeline's last stage, or shard 0. */
  public int controllerRank() {
    return mode == Mode.PIPELINE ? degree - 1 : 0;
  }

  /** Which part of the model rank {@code rank} loads. */
  public ModelLoader.PartChooser partFor(int rank) {
    return switch (mode) {
      case DATA -> (file, c) -> ModelPart.whole(c);
      case PIPELINE -> (file, c) -> ModelPart.pipelineStage(c, rank, degree, PipelinePlan.balance(file, c, degree)
          .get(rank), file.findTensor("output.weight").isEmpty());
      case TENSOR -> (file, c) -> ModelPart.tensorShard(c, rank, degree);
    };
  }

  /**
   * The fewest bytes that must cross between the ranks of one group to run {@code tokens} batch rows,
   * {@code logitRows} of them with logits, with activations as 32-bit floats. A pipeline passes each
   * row's hidden state over N-1 stage boundaries (the last stage computes the logits; when the embedding
   * is tied to the head, ours also sends the embedded row from the last stage to the first, one more). Our exact tensor
   * sharding gathers four vectors per layer (attention output, its projection, the FFN activation,
   * the down projection) and the embedding rows, each rank receiving the (N-1)/N it lacks, and shard 0
   * receives the other shards' vocabulary slices of each logits row.
   */
  public long minimumBytes(org.bitnetspark.engine.model.ModelConfig c, long tokens, long logitRows) {
    long n = degree;
    return switch (mode) {
      case DATA -> 0;
      case PIPELINE -> tokens * (n - 1) * c.dim() * 4L;
      case TENSOR -> tokens * (n - 1) * 4L * (c.dim() + (long) c.layers() * (3L * c.dim() + c.ffnDim()))
          + logitRows * 4L * c.vocabSize() * (n - 1) / n;
    };
  }

  @Override
  public String toString() {
    return mode == Mode.DATA ? "data" : mode.name().toLowerCase(Locale.ROOT) + ":" + degree;
  }
}
