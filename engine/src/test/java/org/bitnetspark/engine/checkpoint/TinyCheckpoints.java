package org.bitnetspark.engine.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.GgufWriter;

/**
 * Tiny Hugging Face checkpoints written by test code from a seed, in each layout real BitNet models
 * ship, together with the GGUF of the very same weights written independently (our own ternarisation,
 * packing and q/k permutation here, never the production code's), so the two loads can be compared.
 */
public final class TinyCheckpoints {
  static final int DIM = 256, FFN = 512, HEADS = 4, KV_HEADS = 2, LAYERS = 2, CTX = 64;
  static final int HEAD_DIM = DIM / HEADS, KV_DIM = KV_HEADS * HEAD_DIM;

  /** The layouts. */
  public enum Layout {
    /** 1bitLLM bitnet_b1_58: full-precision latent weights, SiLU, sub-norms inner_attn_ln / ffn_layernorm, tied. */
    LATENT_1BITLLM,
    /** BitNet-b1.58-2B-4T: packed uint8 + weight_scale, squared ReLU, attn_sub_norm / ffn_sub_norm, BF16 embedding. */
    PACKED_2B4T,
    /** Llama3-8B-1.58 / Falcon3: LlamaForCausalLM, packed uint8, no sub-norms, separate lm_head, two shards. */
    PACKED_LLAMA
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A byte-level BPE tokenizer: 256 byte tokens, a few merges, BOS/EOS. */
  static final List<String> MERGES = List.of("Ġ t", "h e", "Ġt he", "o u", "Ġ a", "i n", "e r", "Ġ s");

  static String[] vocab() {
    List<String> tokens = new ArrayList<>();
    for (int b = 0; b < 256; b++) tokens.add(byteChar(b));
    for (String m : MERGES) tokens.add(m.replace(" ", ""));
    tokens.add("<|begin_of_text|>");
    tokens.add("<|end_of_text|>");
    return tokens.toArray(new String[0]);
  }

  /** GPT-2's byte-to-unicode map. */
  static String byteChar(int b) {
    if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) return String.valueOf((char) b);
    int n = 0;
    for (int x = 0; x < b; x++) {
      if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) n++;
    }
    return String.valueOf((char) (256 + n));
  }

  static int vocabSize() {
    return vocab().length;
  }

  /** One projection's weights as the test knows them: codes 0..2 row-major [out][in] and the scale. */
  record Ternary(byte[] codes, int rows, int cols, float scale) {
    float value(int r, int c) {
      return (codes[r * cols + c] - 1) * scale;
    }
  }

  private final Layout layout;
  private final SplittableRandom random;
  final Map<String, Ternary> ternaries = new LinkedHashMap<>();
  final Map<String, float[]> floats = new LinkedHashMap<>();

  public TinyCheckpoints(Layout layout, long seed) {
    this.layout = layout;
    this.random = new SplittableRandom(seed);
  }

  /** Writes the checkpoint directory; returns the GGUF of the same weights. */
  public Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    int vocab = vocabSize();
    float[] emb = gaussian(vocab * DIM, 1.0);
    floats.put("emb", emb);
    tensors.put("model.embed_tokens.weight", layout == Layout.PACKED_2B4T ? Tensor.bf16(emb, vocab, DIM)
        : Tensor.f32(emb, vocab, DIM));
    tensors.put("model.norm.weight", Tensor.f32(norm("out_norm", DIM), DIM));
    if (layout == Layout.PACKED_LLAMA) {
      float[] head = gaussian(vocab * DIM, 1.0);
      floats.put("head", head);
      tensors.put("lm_head.weight", Tensor.f32(head, vocab, DIM));
    }
    for (int l = 0; l < LAYERS; l++) {
      String h = "model.layers." + l + ".";
      tensors.put(h + "input_layernorm.weight", Tensor.f32(norm(l + ".attn_norm", DIM), DIM));
      tensors.put(h + "post_attention_layernorm.weight", Tensor.f32(norm(l + ".ffn_norm", DIM), DIM));
      projection(tensors, l, h + "self_attn.q_proj", DIM, DIM);
      projection(tensors, l, h + "self_attn.k_proj", KV_DIM, DIM);
      projection(tensors, l, h + "self_attn.v_proj", KV_DIM, DIM);
      projection(tensors, l, h + "self_attn.o_proj", DIM, DIM);
      projection(tensors, l, h + "mlp.gate_proj", FFN, DIM);
      projection(tensors, l, h + "mlp.up_proj", FFN, DIM);
      projection(tensors, l, h + "mlp.down_proj", DIM, FFN);
      if (layout == Layout.LATENT_1BITLLM) {
        tensors.put(h + "self_attn.inner_attn_ln.weight", Tensor.f32(norm(l + ".attn_sub", DIM), DIM));
        tensors.put(h + "mlp.ffn_layernorm.weight", Tensor.f32(norm(l + ".ffn_sub", FFN), FFN));
      } else if (layout == Layout.PACKED_2B4T) {
        tensors.put(h + "self_attn.attn_sub_norm.weight", Tensor.f32(norm(l + ".attn_sub", DIM), DIM));
        tensors.put(h + "mlp.ffn_sub_norm.weight", Tensor.f32(norm(l + ".ffn_sub", FFN), FFN));
      }
    }
    if (layout == Layout.PACKED_LLAMA) { // two shards and an index
      Map<String, Tensor> first = new LinkedHashMap<>();
      Map<String, Tensor> second = new LinkedHashMap<>();
      ObjectNode map = JSON.createObjectNode();
      int i = 0;
      for (var e : tensors.entrySet()) {
        boolean one = i++ % 2 == 0;
        (one ? first : second).put(e.getKey(), e.getValue());
        map.put(e.getKey(), one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
      }
      writeSafetensors(dir.resolve("model-00001-of-00002.safetensors"), first);
      writeSafetensors(dir.resolve("model-00002-of-00002.safetensors"), second);
      ObjectNode index = JSON.createObjectNode();
      index.putObject("metadata").put("total_size", 0);
      index.set("weight_map", map);
      Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
    } else {
      writeSafetensors(dir.resolve("model.safetensors"), tensors);
    }
    Files.writeString(dir.resolve("config.json"), config().toString());
    Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson().toString());
    ObjectNode tc = JSON.createObjectNode().put("bos_token", "<|begin_of_text|>").put("eos_token", "<|end_of_text|>")
        .put("add_bos_token", true).put("chat_template", "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}");
    Files.writeString(dir.resolve("tokenizer_config.json"), tc.toString());
    return writeGguf(dir.resolveSibling(dir.getFileName() + ".gguf"));
  }

  private ObjectNode config() {
    ObjectNode c = JSON.createObjectNode();
    String arch = switch (layout) {
      case LATENT_1BITLLM -> "BitnetForCausalLM";
      case PACKED_2B4T -> "BitNetForCausalLM";
      case PACKED_LLAMA -> "LlamaForCausalLM";
    };
    c.putArray("architectures").add(arch);
    c.put("hidden_size", DIM).put("intermediate_size", FFN).put("num_hidden_layers", LAYERS)
        .put("num_attention_heads", HEADS).put("num_key_value_heads", KV_HEADS).put("max_position_embeddings", CTX)
        .put("rms_norm_eps", 1e-5).put("rope_theta", layout == Layout.PACKED_2B4T ? 500000.0 : 10000.0)
        .put("vocab_size", vocabSize()).put("hidden_act", layout == Layout.PACKED_2B4T ? "relu2" : "silu")
        .put("tie_word_embeddings", layout != Layout.PACKED_LLAMA);
    if (layout == Layout.PACKED_LLAMA) c.putObject("quantization_config").put("quant_method", "bitnet");
    return c;
  }

  private ObjectNode tokenizerJson() {
    ObjectNode t = JSON.createObjectNode();
    ObjectNode model = t.putObject("model").put("type", "BPE").put("byte_fallback", false);
    ObjectNode v = model.putObject("vocab");
    String[] tokens = vocab();
    for (int i = 0; i < tokens.length - 2; i++) v.put(tokens[i], i);
    ArrayNode merges = model.putArray("merges");
    for (String m : MERGES) merges.add(m);
    ArrayNode added = t.putArray("added_tokens");
    added.addObject().put("id", tokens.length - 2).put("content", tokens[tokens.length - 2]).put("special", true);
    added.addObject().put("id", tokens.length - 1).put("content", tokens[tokens.length - 1]).put("special", true);
    t.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false);
    return t;
  }

  private void projection(Map<String, Tensor> tensors, int layer, String name, int rows, int cols) {
    if (layout == Layout.LATENT_1BITLLM) {
      float[] w = gaussian(rows * cols, 0.05);
      tensors.put(name + ".weight", Tensor.f32(w, rows, cols));
      // our own absmean, in double: the reference for the production code's float version
      double mean = 0;
      for (float x : w) mean += Math.abs(x);
      mean /= w.length;
      float s = (float) (1 / mean);
      byte[] codes = new byte[w.length];
      for (int i = 0; i < w.length; i++) codes[i] = (byte) (Math.max(-1, Math.min(1, Math.rint(w[i] * s))) + 1);
      ternaries.put(name, new Ternary(codes, rows, cols, 1f / s));
    } else {
      byte[] codes = new byte[rows * cols];
      for (int i = 0; i < codes.length; i++) codes[i] = (byte) random.nextInt(3);
      float weightScale = 16f; // the real weight is (code - 1) / weight_scale
      ternaries.put(name, new Ternary(codes, rows, cols, 1f / weightScale));
      byte[] packed = new byte[rows / 4 * cols];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) packed[(r % (rows / 4)) * cols + c] |= (byte) (codes[r * cols + c] << (2 * (r / (rows / 4))));
      }
      tensors.put(name + ".weight", Tensor.u8(packed, rows / 4, cols));
      tensors.put(name + ".weight_scale", Tensor.f32(new float[] {weightScale}, 1));
    }
  }

  /** The GGUF of the same weights: projections as F32 values scale x {-1, 0, 1} (llama.cpp's F32 layout). */
  private Path writeGguf(Path out) throws IOException {
    String a = switch (layout) {
      case LATENT_1BITLLM -> "bitnet";
      case PACKED_2B4T -> "bitnet-b1.58";
      case PACKED_LLAMA -> "llama";
    };
    GgufWriter w = new GgufWriter().putString("general.architecture", a)
        .putUint32(a + ".context_length", CTX).putUint32(a + ".embedding_length", DIM)
        .putUint32(a + ".block_count", LAYERS).putUint32(a + ".feed_forward_length", FFN)
        .putUint32(a + ".attention.head_count", HEADS).putUint32(a + ".attention.head_count_kv", KV_HEADS)
        .putFloat32(a + ".attention.layer_norm_rms_epsilon", 1e-5f)
        .putFloat32(a + ".rope.freq_base", layout == Layout.PACKED_2B4T ? 500000f : 10000f)
        .putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "gpt-2")
        .putStrings("tokenizer.ggml.tokens", vocab());
    long[] types = new long[vocabSize()];
    java.util.Arrays.fill(types, 1);
    types[types.length - 2] = 3;
    types[types.length - 1] = 3;
    w.putInt32s("tokenizer.ggml.token_type", types).putStrings("tokenizer.ggml.merges", MERGES.toArray(new String[0]))
        .putUint32("tokenizer.ggml.bos_token_id", vocabSize() - 2).putUint32("tokenizer.ggml.eos_token_id", vocabSize() - 1)
        .putBool("tokenizer.ggml.add_bos_token", true);
    float[] emb = floats.get("emb");
    if (layout == Layout.PACKED_2B4T) { // BF16 in the checkpoint, so BF16 here: the same bits and the same head math
      byte[] bf16 = Tensor.bf16(emb).bytes();
      w.tensor("token_embd.weight", GgmlType.BF16, new long[] {DIM, vocabSize()}, o -> o.write(bf16));
    } else {
      w.f32("token_embd.weight", new long[] {DIM, vocabSize()}, emb);
    }
    if (layout == Layout.PACKED_LLAMA) w.f32("output.weight", new long[] {DIM, vocabSize()}, floats.get("head"));
    w.f32("output_norm.weight", new long[] {DIM}, floats.get("out_norm"));
    for (int l = 0; l < LAYERS; l++) {
      String p = "blk." + l + ".";
      String h = "model.layers." + l + ".";
      w.f32(p + "attn_norm.weight", new long[] {DIM}, floats.get(l + ".attn_norm"));
      w.f32(p + "ffn_norm.weight", new long[] {DIM}, floats.get(l + ".ffn_norm"));
      boolean llama = layout == Layout.PACKED_LLAMA;
      ggufProjection(w, p + "attn_q.weight", ternaries.get(h + "self_attn.q_proj"), llama ? HEADS : 0);
      ggufProjection(w, p + "attn_k.weight", ternaries.get(h + "self_attn.k_proj"), llama ? KV_HEADS : 0);
      ggufProjection(w, p + "attn_v.weight", ternaries.get(h + "self_attn.v_proj"), 0);
      ggufProjection(w, p + "attn_output.weight", ternaries.get(h + "self_attn.o_proj"), 0);
      ggufProjection(w, p + "ffn_gate.weight", ternaries.get(h + "mlp.gate_proj"), 0);
      ggufProjection(w, p + "ffn_up.weight", ternaries.get(h + "mlp.up_proj"), 0);
      ggufProjection(w, p + "ffn_down.weight", ternaries.get(h + "mlp.down_proj"), 0);
      if (!llama) {
        w.f32(p + "attn_sub_norm.weight", new long[] {DIM}, floats.get(l + ".attn_sub"));
        w.f32(p + "ffn_sub_norm.weight", new long[] {FFN}, floats.get(l + ".ffn_sub"));
      }
    }
    w.write(out);
    return out;
  }

  /** F32 scale x {-1,0,1}; for llama.cpp's llama arch the q/k rows are permuted as its converter does. */
  private static void ggufProjection(GgufWriter w, String name, Ternary t, int permuteHeads) {
    float[] v = new float[t.rows * t.cols];
    int headDim = permuteHeads > 0 ? t.rows / permuteHeads : 0;
    for (int r = 0; r < t.rows; r++) {
      int source = r;
      if (permuteHeads > 0) { // convert_hf_to_gguf's permute: reshape(heads, 2, hd/2, in).swapaxes(1, 2)
        int h = r / headDim, within = r % headDim;
        source = h * headDim + (within % 2) * (headDim / 2) + within / 2;
      }
      for (int c = 0; c < t.cols; c++) v[r * t.cols + c] = t.value(source, c);
    }
    w.tensor(name, GgmlType.F32, new long[] {t.cols, t.rows}, out -> {
      ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float x : v) b.putFloat(x);
      out.write(b.array());
    });
  }

  private float[] norm(String key, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (0.8 + 0.4 * random.nextDouble());
    floats.put(key, v);
    return v;
  }

  private float[] gaussian(int n, double sd) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (sd * (random.nextDouble() * 2 - 1) * 1.7);
    return v;
  }

  /** A tensor to write: dtype, shape, little-endian bytes. */
  record Tensor(String dtype, long[] shape, byte[] bytes) {
    static Tensor f32(float[] v, long... shape) {
      ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float x : v) b.putFloat(x);
      return new Tensor("F32", shape, b.array());
    }

    static Tensor bf16(float[] v, long... shape) {
      ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (float x : v) b.putShort((short) (Float.floatToIntBits(x) >>> 16)); // truncation: exact for the GGUF too
      return new Tensor("BF16", shape, b.array());
    }

    static Tensor u8(byte[] v, long... shape) {
      return new Tensor("U8", shape, v);
    }
  }

  /** The safetensors layout: u64 header length, JSON header, data. */
  static void writeSafetensors(Path file, Map<String, Tensor> tensors) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (var e : tensors.entrySet()) {
      ObjectNode t = header.putObject(e.getKey()).put("dtype", e.getValue().dtype());
      ArrayNode shape = t.putArray("shape");
      for (long d : e.getValue().shape()) shape.add(d);
      t.putArray("data_offsets").add(offset).add(offset + e.getValue().bytes().length);
      offset += e.getValue().bytes().length;
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
      out.write(json);
      for (Tensor t : tensors.values()) out.write(t.bytes());
    }
  }
}
