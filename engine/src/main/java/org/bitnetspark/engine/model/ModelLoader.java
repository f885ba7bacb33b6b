package org.bitnetspark.engine.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bitnetspark.engine.checkpoint.ModelInputs;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.error.UnsupportedModelException;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.gguf.TensorInfo;
import org.bitnetspark.engine.io.LocalModelSource;
import org.bitnetspark.engine.io.ModelSource;
import org.bitnetspark.engine.io.ModelSources;
import org.bitnetspark.engine.kernel.DenseLinear;
import org.bitnetspark.engine.kernel.Kernels;
import org.bitnetspark.engine.kernel.Linear;
import org.bitnetspark.engine.kernel.Kernels;
import org.bitnetspark.engine.kernel.TernaryLinear;
import org.bitnetspark.engine.model.ModelPart.Range;
import org.bitnetspark.engine.quant.Dequantize;
import org.bitnetspark.engine.tensor.TernaryPacker;
import org.bitnetspark.engine.tokenizer.Tokenizer;
import org.bitnetspark.engine.tokenizer.Tokenizers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GGUF bytes to a {@link BitNetModel}: checks every tensor's presence, type and shape against the
 * config, repacks ternary projections once (never holding float weights), and leaves embeddings
 * and the head in the file mapping.
 */
public final class ModelLoader {
  private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);

  private ModelLoader() {}

  /**
   * Loads from a location: a GGUF path or URI, {@code default}, or a Hugging Face checkpoint directory
   * ({@link ModelInputs}).
   */
  public static BitNetModel load(String location) {
    try {
      return load(ModelInputs.open(location));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open model " + location + ": " + e.getMessage(), e);
    }
  }

  public static BitNetModel load(Path path) {
    try {
      return load(new LocalModelSource(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open model " + path + ": " + e.getMessage(), e);
    }
  }

  /** Loads from any source; the model keeps the source open (for the mapped dense tensors). */
  public static BitNetModel load(ModelSource source) {
    return load(source, (file, config) -> ModelPart.whole(config));
  }

  /** Chooses the part of a model to load once its header is read (pipeline stages need the tensor sizes). */
  @FunctionalInterface
  public interface PartChooser {
    ModelPart choose(GgufFile file, ModelConfig config);
  }

  /**
   * Loads only one part of the model (a pipeline stage's layers, a tensor shard's rows): only those
   * tensors, and of sliced matrices only those rows, are read from the source.
   */
  public static BitNetModel load(ModelSource source, PartChooser part) {
    long start = System.nanoTime();
    GgufFile file = GgufReader.read(source);
    BitNetModel model = new Builder(file).build(part);
    LOG.info("loaded {} of {} ({}, {} layers, dim {}, vocab {}) in {} ms; weights resident: {} MiB of a {} MiB file",
        model.part().describe(), source.uri(), model.config().architecture(), model.config().layers(),
        model.config().dim(), model.config().vocabSize(), (System.nanoTime() - start) / 1_000_000,
        model.residentWeightBytes() >> 20, source.size() >> 20);
    return model;
  }

  private static final class Builder {
    private final GgufFile file;
    private final String uri;

    Builder(GgufFile file) {
      this.file = file;
      this.uri = file.uri();
    }

    BitNetModel build(PartChooser chooser) {
      TensorInfo embd = file.tensor("token_embd.weight");
      Tokenizer tokenizer = Tokenizers.fromGguf(uri, file.metadata());
      ModelConfig c = ModelConfig.fromGguf(uri, file.metadata(), tokenizer.vocabSize());
      expectShape(embd, c.dim(), c.vocabSize());
      Optional<TensorInfo> outputTensor = file.findTensor("output.weight");
      outputTensor.ifPresent(t -> expectShape(t, c.dim(), c.vocabSize()));
      ModelPart part = chooser.choose(file, c);
      Range vocab = part.vocab();
      boolean tiedHead = outputTensor.isEmpty();
      DenseLinear tokenEmbedding = part.embeds() || (part.hasHead() && tiedHead) ? dense(embd, vocab) : null;
      List<LayerWeights> layers = new ArrayList<>(part.layers().size());
      for (int i = part.layers().start(); i < part.layers().end(); i++) layers.add(layer(c, part, i));
      float[] outputNorm = vector("output_norm.weight", c.dim());
      Linear output = !part.hasHead() ? null : tiedHead ? tokenEmbedding : dense(outputTensor.get(), vocab);
      float[] ropeFreqs = file.findTensor("rope_freqs.weight").map(t -> vector(t.name(), c.headDim() / 2)).orElse(null);
      return new BitNetModel(uri, c, tokenizer, part, part.embeds() ? tokenEmbedding : null, List.copyOf(layers),
          outputNorm, output, ropeFreqs, file);
    }

    /** Layer {@code i}, each projection sliced to the rows {@code part} computes (all rows for a whole model). */
    private LayerWeights layer(ModelConfig c, ModelPart part, int i) {
      String p = "blk." + i + ".";
      int dim = c.dim();
      int kv = c.kvDim();
      int ff = c.ffnDim();
      int hd = c.headDim();
      Range q = new Range(part.heads().start() * hd, part.heads().end() * hd);
      Range kvRows = new Range(part.kvHeads().start() * hd, part.kvHeads().end() * hd);
      Range dimRows = part.dimRows();
      Range ffRows = part.ffnRows();
      return new LayerWeights(
          vector(p + "attn_norm.weight", dim),
          projection(p + "attn_q", dim, dim, q), projection(p + "attn_k", dim, kv, kvRows),
          projection(p + "attn_v", dim, kv, kvRows),
          c.architecture().subNorms ? vector(p + "attn_sub_norm.weight", dim) : null,
          projection(p + "attn_output", dim, dim, dimRows),
          vector(p + "ffn_norm.weight", dim),
          projection(p + "ffn_gate", dim, ff, ffRows), projection(p + "ffn_up", dim, ff, ffRows),
          c.architecture().subNorms ? vector(p + "ffn_sub_norm.weight", ff) : null,
          projection(p + "ffn_down", ff, dim, dimRows),
          optionalSlice(p + "attn_q.bias", dim, q), optionalSlice(p + "attn_k.bias", kv, kvRows),
          optionalSlice(p + "attn_v.bias", kv, kvRows), optionalSlice(p + "attn_output.bias", dim, dimRows));
    }

    /**
     * Rows {@code rows} of the projection {@code name.weight} of GGUF shape [in, out], with its optional
     * {@code name.scale}.
     */
    private Linear projection(String name, int in, int out, Range rows) {
      TensorInfo whole = file.tensor(name + ".weight");
      expectShape(whole, in, out);
      if (!whole.type().supported) throw unsupportedType(whole);
      float outputScale = file.findTensor(name + ".scale").map(s -> {
        if (s.elements() != 1) throw shapeError(s, "[1]");
        return vector(s.name(), 1)[0];
      }).orElse(1f);
      TensorInfo t = whole.rowSlice(rows.start(), rows.end());
      Optional<Linear> ternary =
          TernaryPacker.pack(uri, t, file.rows(whole, t), outputScale)
              .map(m -> new TernaryLinear(Kernels.get().repack(m)));
      if (ternary.isPresent()) return ternary.get();
      if (outputScale != 1f) {
        throw new UnsupportedModelException(uri + ": '" + t.name() + "' has a separate .scale but is not ternary; "
            + "only ternary weights may carry a .scale tensor");
      }
      LOG.warn("{}: '{}' ({}) is not ternary; it runs as a dense float matrix without activation quantisation",
          uri, t.name(), t.type());
      return dense(whole, rows);
    }

    private DenseLinear dense(TensorInfo whole, Range rows) {
      if (!whole.type().supported) throw unsupportedType(whole);
      TensorInfo t = whole.rowSlice(rows.start(), rows.end());
      return new DenseLinear(t, file.rows(whole, t));
    }

    private float[] vector(String name, int length) {
      TensorInfo t = file.tensor(name);
      if (t.elements() != length || t.shape().length != 1) throw shapeError(t, "[" + length + "]");
      if (!t.type().supported || t.type().isTernary()) throw unsupportedType(t);
      float[] v = new float[length];
      ByteBuffer data = file.data(t);
      Dequantize.row(t.type(), data, 0, length, v, 0);
      return v;
    }

    private float[] optionalSlice(String name, int length, Range range) {
      return file.findTensor(name).isPresent()
          ? Arrays.copyOfRange(vector(name, length), range.start(), range.end()) : null;
    }

    private void expectShape(TensorInfo t, long ne0, long ne1) {
      long[] s = t.shape();
      if (s.length != 2 || s[0] != ne0 || s[1] != ne1) throw shapeError(t, "[" + ne0 + ", " + ne1 + "]");
    }

    private ModelFormatException shapeError(TensorInfo t, String expected) {
      return new ModelFormatException(uri + ": tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
          + " but the model's hyper-parameters need " + expected + ". The metadata and tensors disagree.");
    }

    private UnsupportedModelException unsupportedType(TensorInfo t) {
      return new UnsupportedModelException(uri + ": tensor '" + t.name() + "' has type " + t.type()
          + ", which is not supported there. Supported types: " + GgmlType.supportedNames()
          + " (ternary types only for projections).");
    }
  }
}
