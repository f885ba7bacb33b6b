package org.bitnetspark.engine.model;

/**
 * Which part of a model one process holds and runs (spark-job/PARALLELISM.md). The whole model is one
 * part; a pipeline stage holds a contiguous range of layers, the last stage also the head, and the
 * embedding sits on the first stage, or on the last when it is tied to the head (so no stage holds it
 * twice; the last stage then sends the embedded rows to the first); a tensor shard holds every layer but only a slice of each matrix's output rows:
 * its query heads (and the key/value heads they read), a slice of the residual width for the
 * attention-output and FFN-down projections, of the FFN hidden width, and of the vocabulary for the
 * embedding and the head. Every range is {@code [start, end)}.
 */
public record ModelPart(Kind kind, int rank, int parts, Range layers, boolean embeds, boolean hasHead, Range vocab,
    Range heads, Range kvHeads, Range dimRows, Range ffnRows) {

  public enum Kind { WHOLE, PIPELINE_STAGE, TENSOR_SHARD }

  /** A half-open index range. */
  public record Range(int start, int end) {
    public Range {
      if (start < 0 || end < start) throw new IllegalArgumentException("bad range [" + start + ", " + end + ")");
    }

    public int size() {
      return end - start;
    }

    /** Part {@code i} of {@code n} near-equal contiguous parts of [0, total). */
    public static Range split(int total, int i, int n) {
      return new Range((int) ((long) total * i / n), (int) ((long) total * (i + 1) / n));
    }
  }

  public static ModelPart whole(ModelConfig c) {
    return new ModelPart(Kind.WHOLE, 0, 1, new Range(0, c.layers()), true, true, new Range(0, c.vocabSize()),
        new Range(0, c.heads()), new Range(0, c.kvHeads()), new Range(0, c.dim()), new Range(0, c.ffnDim()));
  }

  /**
   * Stage {@code rank} of {@code stages}, running {@code layers} ({@link PipelinePlan}); {@code tiedHead}:
   * the model has no separate output matrix, so the last stage's head is the embedding and it embeds.
   */
  public static ModelPart pipelineStage(ModelConfig c, int rank, int stages, Range layers, boolean tiedHead) {
    ModelPart w = whole(c);
    boolean last = rank == stages - 1;
    return new ModelPart(Kind.PIPELINE_STAGE, rank, stages, layers, tiedHead ? last : rank == 0, last, w.vocab,
        w.heads, w.kvHeads, w.dimRows, w.ffnRows);
  }

  /**
   * Shard {@code rank} of {@code shards}: query heads split evenly, with every key/value head those
   * query heads read (kv heads are replicated when there are fewer of them than shards, as
   * Megatron-LM does for GQA), and even splits of the residual width, FFN width and vocabulary.
   */
  public static ModelPart tensorShard(ModelConfig c, int rank, int shards) {
    if (shards > c.heads()) {
      throw new IllegalArgumentException("tensor:" + shards + " needs at least " + shards + " attention heads but the "
          + "model has " + c.heads() + "; use fewer shards, or pipeline parallelism");
    }
    Range heads = Range.split(c.heads(), rank, shards);
    int group = c.heads() / c.kvHeads();
    Range kv = new Range(heads.start() / group, (heads.end() - 1) / group + 1);
    return new ModelPart(Kind.TENSOR_SHARD, rank, shards, new Range(0, c.layers()), true, true,
        Range.split(c.vocabSize(), rank, shards), heads, kv, Range.split(c.dim(), rank, shards),
        Range.split(c.ffnDim(), rank, shards));
  }

  public boolean isTensorShard() {
    return kind == Kind.TENSOR_SHARD;
  }

  public String describe() {
    return switch (kind) {
      case WHOLE -> "whole model";
      case PIPELINE_STAGE -> "pipeline stage " + rank + "/" + parts + " (layers " + layers.start() + ".."
          + (layers.end() - 1) + (embeds ? ", embedding" : "") + (hasHead ? ", head" : "") + ")";
      case TENSOR_SHARD -> "tensor shard " + rank + "/" + parts + " (heads " + heads.start() + ".." + (heads.end() - 1)
          + ", ffn rows " + ffnRows.start() + ".." + (ffnRows.end() - 1) + ")";
    };
  }
}
