package org.bitnetspark.engine.model;

import java.util.ArrayList;
import java.util.List;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.TensorInfo;
import org.bitnetspark.engine.model.ModelPart.Range;

/**
 * Splits the layers into contiguous pipeline stages balanced by the weight bytes each stage holds:
 * its layers' tensors, the output head on the last stage, and a separate embedding on the first (a
 * tied embedding is the head, on the last stage; {@link ModelPart#pipelineStage}). Minimises the
 * largest stage exactly. Bytes held are also, but for the embedding, the bytes read per token.
 */
public final class PipelinePlan {
  private PipelinePlan() {}

  public static List<Range> balance(GgufFile file, ModelConfig c, int stages) {
    if (stages > c.layers()) {
      throw new IllegalArgumentException("pipeline:" + stages + " needs at least " + stages + " layers but the model has "
          + c.layers() + "; use fewer stages, or tensor parallelism");
    }
    long[] layerBytes = new long[c.layers()];
    for (TensorInfo t : file.tensors().values()) {
      if (t.name().startsWith("blk.")) {
        int layer = Integer.parseInt(t.name().substring(4, t.name().indexOf('.', 4)));
        if (layer < c.layers()) layerBytes[layer] += t.sizeBytes();
      }
    }
    TensorInfo embedding = file.tensor("token_embd.weight");
    TensorInfo head = file.findTensor("output.weight").orElse(embedding);
    long firstStageBytes = head == embedding ? 0 : embedding.sizeBytes();
    return balance(layerBytes, head.sizeBytes(), firstStageBytes, stages);
  }

  /** Exact min-max contiguous partition (dynamic programming; layers and stages are small). */
  static List<Range> balance(long[] layerBytes, long headBytes, long firstStageBytes, int stages) {
    int n = layerBytes.length;
    long[] prefix = new long[n + 1];
    for (int i = 0; i < n; i++) prefix[i + 1] = prefix[i] + layerBytes[i];
    // best[s][i]: the smallest possible largest stage when the first s stages run layers [0, i)
    long[][] best = new long[stages + 1][n + 1];
    int[][] cut = new int[stages + 1][n + 1];
    for (long[] row : best) java.util.Arrays.fill(row, Long.MAX_VALUE);
    best[0][0] = 0;
    for (int s = 1; s <= stages; s++) {
      for (int i = s; i <= n - (stages - s); i++) {
        for (int j = s - 1; j < i; j++) {
          if (best[s - 1][j] == Long.MAX_VALUE) continue;
          long stage = prefix[i] - prefix[j] + (s == stages ? headBytes : 0) + (s == 1 ? firstStageBytes : 0);
          long worst = Math.max(best[s - 1][j], stage);
          if (worst < best[s][i]) {
            best[s][i] = worst;
            cut[s][i] = j;
          }
        }
      }
    }
    List<Range> ranges = new ArrayList<>();
    for (int s = stages, end = n; s > 0; end = cut[s][end], s--) ranges.add(0, new Range(cut[s][end], end));
    return ranges;
  }
}
