package org.bitnetspark.engine.synth;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.GgufWriter;
import org.bitnetspark.engine.model.Architecture;
import org.bitnetspark.engine.quant.Float16;
import org.bitnetspark.engine.quant.Quantize;
import org.bitnetspark.engine.tokenizer.Vocabulary;

/**
 * Writes a deterministic random-weight BitNet GGUF of a {@link ModelShape}: ternary projections
 * (uniform codes, one scale per tensor), an F16 or Q8_0 embedding (the tied head), unit norms, and a small SentencePiece
 * vocabulary (control tokens, byte fallback, ASCII pieces, filler) padded to the shape's vocabulary
 * size. The same shape, type and seed always give the same bytes; each tensor is generated from its
 * own seed and streamed, so a 2B-parameter file needs little heap.
 */
public final class SyntheticModel {
  private final ModelShape shape;
  private final GgmlType type;
  private final GgmlType embeddingType;
  private final long seed;

  /** A model with an F16 embedding, as Microsoft ships BitNet-b1.58-2B-4T. */
  public SyntheticModel(ModelShape shape, GgmlType type, long seed) {
    this(shape, type, GgmlType.F16, seed);
  }

  /**
   * {@code embeddingType} F16 or Q8_0: llama-quantize stores the embedding of a TQ model quantised unless
   * told otherwise, and a quantised head reads half the bytes of an F16 one per token.
   */
  public SyntheticModel(ModelShape shape, GgmlType type, GgmlType embeddingType, long seed) {
    if (embeddingType != GgmlType.F16 && embeddingType != GgmlType.Q8_0) {
      throw new IllegalArgumentException("embedding type " + embeddingType + " is not one of f16, q8_0");
    }
    if (type != GgmlType.TQ2_0 && type != GgmlType.TQ1_0 && type != GgmlType.I2_S && type != GgmlType.F32) {
      throw new IllegalArgumentException("type " + type + " is not one of tq2_0, tq1_0, i2_s, f32");
    }
    int block = type == GgmlType.I2_S ? 128 : type.blockSize;
    if (shape.dim % block != 0 || shape.ffnDim % block != 0) {
      throw new IllegalArgumentException("shape " + shape.optionName() + " (width " + shape.dim + ", ffn " + shape.ffnDim
          + ") does not fit " + type + " blocks of " + block + "; use --type i2_s or f32");
    }
    this.shape = shape;
    this.type = type;
    this.embeddingType = embeddingType;
    this.seed = seed;
  }

  /** The {@code --embedding-type} option: f16 or q8_0. */
  public static GgmlType parseEmbeddingType(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "f16" -> GgmlType.F16;
      case "q8_0" -> GgmlType.Q8_0;
      default -> throw new IllegalArgumentException("embedding type '" + s + "' is not one of f16, q8_0");
    };
  }

  public void write(Path out) throws IOException {
    String a = shape.architecture == Architecture.BITNET_B158 ? "bitnet-b1.58" : "bitnet";
    int headDim = shape.dim / shape.heads;
    int kvDim = headDim * shape.kvHeads;
    GgufWriter w = new GgufWriter()
        .putString("general.architecture", a)
        .putString("general.name", "synthetic-" + shape.optionName() + "-" + type.name().toLowerCase(Locale.ROOT))
        .putUint32(a + ".context_length", shape.contextLength)
        .putUint32(a + ".embedding_length", shape.dim)
        .putUint32(a + ".block_count", shape.layers)
        .putUint32(a + ".feed_forward_length", shape.ffnDim)
        .putUint32(a + ".attention.head_count", shape.heads)
        .putUint32(a + ".attention.head_count_kv", shape.kvHeads)
        .putFloat32(a + ".attention.layer_norm_rms_epsilon", 1e-5f)
        .putFloat32(a + ".rope.freq_base", shape.ropeTheta)
        .putUint32(a + ".rope.dimension_count", headDim)
        .putUint32("general.file_type", fileType());
    vocabulary(w);
    w.tensor("token_embd.weight", embeddingType, new long[] {shape.dim, shape.vocabSize}, this::embedding);
    w.f32("output_norm.weight", new long[] {shape.dim}, ones(shape.dim));
    for (int l = 0; l < shape.layers; l++) {
      String p = "blk." + l + ".";
      w.f32(p + "attn_norm.weight", new long[] {shape.dim}, ones(shape.dim));
      ternary(w, p + "attn_q.weight", shape.dim, shape.dim);
      ternary(w, p + "attn_k.weight", shape.dim, kvDim);
      ternary(w, p + "attn_v.weight", shape.dim, kvDim);
      w.f32(p + "attn_sub_norm.weight", new long[] {shape.dim}, ones(shape.dim));
      ternary(w, p + "attn_output.weight", shape.dim, shape.dim);
      w.f32(p + "ffn_norm.weight", new long[] {shape.dim}, ones(shape.dim));
      ternary(w, p + "ffn_gate.weight", shape.dim, shape.ffnDim);
      ternary(w, p + "ffn_up.weight", shape.dim, shape.ffnDim);
      w.f32(p + "ffn_sub_norm.weight", new long[] {shape.ffnDim}, ones(shape.ffnDim));
      ternary(w, p + "ffn_down.weight", shape.ffnDim, shape.dim);
    }
    w.write(out);
  }

  private int fileType() {
    return switch (type) {
      case TQ1_0 -> 36;
      case TQ2_0 -> 37;
      case I2_S -> 40;
      default -> 0;
    };
  }

  private SplittableRandom random(String tensor) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + tensor.hashCode());
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    Arrays.fill(v, 1f);
    return v;
  }

  private void embedding(OutputStream out) throws IOException {
    SplittableRandom r = random("token_embd.weight");
    ByteBuffer row = ByteBuffer.allocate((int) embeddingType.byteSize(shape.dim, 1)).order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[shape.dim];
    for (int t = 0; t < shape.vocabSize; t++) {
      row.clear();
      for (int i = 0; i < shape.dim; i++) values[i] = (float) (r.nextDouble() * 2 - 1);
      if (embeddingType == GgmlType.Q8_0) {
        for (int b = 0; b < shape.dim / 32; b++) Quantize.q8_0(values, b * 32, row);
      } else {
        for (float v : values) row.putShort(Float16.fromFloat(v));
      }
      out.write(row.array());
    }
  }

  /** A ternary projection of GGUF shape [in, out]: random codes, scale 1/sqrt(in) so activations stay O(1). */
  private void ternary(GgufWriter w, String name, int in, int outRows) {
    float scale = Float16.round((float) (1 / Math.sqrt(in)));
    w.tensor(name, type, new long[] {in, outRows}, out -> {
      SplittableRandom r = random(name);
      byte[] codes = new byte[in];
      if (type == GgmlType.I2_S) {
        byte[] all = new byte[in * outRows];
        for (int i = 0; i < all.length; i++) all[i] = (byte) r.nextInt(3);
        ByteBuffer b = ByteBuffer.allocate(all.length / 4 + 32).order(ByteOrder.LITTLE_ENDIAN);
        Quantize.i2s(all, all.length, scale, b);
        out.write(b.array());
        return;
      }
      ByteBuffer row = ByteBuffer.allocate((int) type.byteSize(in, 1)).order(ByteOrder.LITTLE_ENDIAN);
      for (int o = 0; o < outRows; o++) {
        for (int i = 0; i < in; i++) codes[i] = (byte) r.nextInt(3);
        row.clear();
        for (int b = 0; b < in / type.blockSize; b++) {
          switch (type) {
            case TQ2_0 -> Quantize.tq2_0(codes, b * 256, scale, row);
            case TQ1_0 -> Quantize.tq1_0(codes, b * 256, scale, row);
            default -> row.putFloat((codes[b] - 1) * scale); // F32: block size 1
          }
        }
        out.write(row.array());
      }
    });
  }

  /** A SentencePiece vocabulary: <unk>, <s>, </s>, 256 byte tokens, ASCII pieces, then filler. */
  private void vocabulary(GgufWriter w) {
    int n = shape.vocabSize;
    String[] tokens = new String[n];
    float[] scores = new float[n];
    long[] types = new long[n];
    tokens[0] = "<unk>";
    types[0] = Vocabulary.UNKNOWN;
    tokens[1] = "<s>";
    types[1] = Vocabulary.CONTROL;
    tokens[2] = "</s>";
    types[2] = Vocabulary.CONTROL;
    int i = 3;
    for (int b = 0; b < 256; b++, i++) {
      tokens[i] = String.format("<0x%02X>", b);
      types[i] = Vocabulary.BYTE;
    }
    tokens[i] = "\u2581";
    types[i++] = Vocabulary.NORMAL;
    for (char c = '!'; c <= '~'; c++, i++) {
      tokens[i] = String.valueOf(c);
      types[i] = Vocabulary.NORMAL;
    }
    for (char c = 'a'; c <= 'z'; c++, i++) {
      tokens[i] = "\u2581" + c;
      types[i] = Vocabulary.NORMAL;
    }
    for (int f = 0; i < n; i++, f++) {
      tokens[i] = "\u2581filler" + f;
      types[i] = Vocabulary.NORMAL;
    }
    for (int t = 0; t < n; t++) scores[t] = types[t] == Vocabulary.NORMAL ? -t : 0f;
    w.putString("tokenizer.ggml.model", "llama")
        .putStrings("tokenizer.ggml.tokens", tokens)
        .putFloats("tokenizer.ggml.scores", scores)
        .putInt32s("tokenizer.ggml.token_type", types)
        .putUint32("tokenizer.ggml.bos_token_id", 1)
        .putUint32("tokenizer.ggml.eos_token_id", 2)
        .putUint32("tokenizer.ggml.unknown_token_id", 0)
        .putBool("tokenizer.ggml.add_bos_token", true)
        .putBool("tokenizer.ggml.add_eos_token", false);
  }
}
