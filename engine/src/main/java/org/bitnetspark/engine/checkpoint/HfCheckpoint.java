package org.bitnetspark.engine.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.error.UnsupportedModelException;
import org.bitnetspark.engine.gguf.GgmlType;
import org.bitnetspark.engine.gguf.GgufWriter;
import org.bitnetspark.engine.io.ChunkedModelSource;
import org.bitnetspark.engine.io.ModelSource;
import org.bitnetspark.engine.io.ModelSources;
import org.bitnetspark.engine.model.Architecture;
import org.bitnetspark.engine.quant.Quantize;

/**
 * A Hugging Face checkpoint directory (local or any Hadoop file system): {@code config.json},
 * {@code model.safetensors} or shards listed by {@code model.safetensors.index.json}, and the tokenizer
 * ({@code tokenizer.model}, else {@code tokenizer.json} with {@code tokenizer_config.json}).
 *
 * <p>It becomes a GGUF with llama.cpp's names, keys and layouts ({@link #writeGguf}): projections are
 * ternarised once (absmean for full-precision weights, unpacked for Hugging Face's packed uint8 ones)
 * and written packed; embeddings and norms keep their type. Loading a checkpoint builds that GGUF in
 * memory (I2_S projections: exact per-tensor scales) and loads it like any GGUF; the {@code convert}
 * command writes it to a file, so a cluster can ship one compact file instead.
 *
 * <p>Supported ({@code architectures} in config.json): {@code BitnetForCausalLM} (1bitLLM
 * bitnet_b1_58-large/-3B: full-precision latent weights, SiLU), {@code BitNetForCausalLM}
 * (BitNet-b1.58-2B-4T: packed weights or bf16 masters, squared ReLU) and {@code LlamaForCausalLM} with a
 * {@code bitnet} quantization_config (Llama3-8B-1.58, Falcon3 1.58bit: packed weights, no sub-norms).
 */
public final class HfCheckpoint implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String location;
  private final JsonNode config;
  private final Architecture architecture;
  private final List<ModelSource> opened = new ArrayList<>();
  private final Map<String, SafetensorsFile> fileOfTensor = new LinkedHashMap<>();

  private HfCheckpoint(String location) throws IOException {
    this.location = location;
    this.config = json("config.json").orElseThrow(() -> new ModelFormatException(location
        + " is a directory without config.json; a model is a GGUF file or a Hugging Face checkpoint directory"));
    this.architecture = architecture(location, config);
    Optional<JsonNode> index = json("model.safetensors.index.json");
    List<String> files = new ArrayList<>();
    if (index.isPresent()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = index.get().path("weight_map").fields(); it.hasNext(); ) {
        String f = it.next().getValue().asText();
        if (!files.contains(f)) files.add(f);
      }
      if (files.isEmpty()) throw new ModelFormatException(child("model.safetensors.index.json") + " has no weight_map");
    } else {
      files.add("model.safetensors");
    }
    for (String f : files) {
      ModelSource source = openFile(f).orElseThrow(() -> new ModelFormatException(location + " has no " + f
          + (index.isPresent() ? " (listed in model.safetensors.index.json)" : "")
          + "; only safetensors checkpoints are read (convert .bin checkpoints with safetensors' tools first)"));
      SafetensorsFile st = SafetensorsFile.read(source);
      for (String name : st.tensors().keySet()) fileOfTensor.put(name, st);
    }
  }

  /** Opens a checkpoint directory; the caller closes it. */
  public static HfCheckpoint open(String location) {
    try {
      return new HfCheckpoint(location);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + location + ": " + e.getMessage(), e);
    }
  }

  /** A checkpoint as an in-memory GGUF (I2_S projections), the form every loader reads. */
  public static ModelSource asGguf(String location) {
    try (HfCheckpoint c = open(location)) {
      ChunkOutput out = new ChunkOutput();
      c.writeGguf(GgmlType.I2_S, out);
      return new ChunkedModelSource(location + " (checkpoint)", out.chunks());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + location + ": " + e.getMessage(), e);
    }
  }

  public Architecture architecture() {
    return architecture;
  }

  private static Architecture architecture(String location, JsonNode config) {
    String name = config.path("architectures").path(0).asText("");
    boolean bitnetQuant = config.path("quantization_config").path("quant_method").asText("").equals("bitnet");
    return switch (name) {
      case "BitnetForCausalLM" -> Architecture.BITNET;
      case "BitNetForCausalLM" -> Architecture.BITNET_B158;
      case "LlamaForCausalLM" -> {
        if (!bitnetQuant) {
          throw new UnsupportedModelException(location + ": a LlamaForCausalLM without a 'bitnet' quantization_config "
              + "is not a BitNet b1.58 model");
        }
        yield Architecture.LLAMA;
      }
      default -> throw new UnsupportedModelException(location + ": architecture '" + name + "' in config.json is not "
          + "supported; supported: BitnetForCausalLM (1bitLLM), BitNetForCausalLM (BitNet-b1.58-2B-4T), "
          + "LlamaForCausalLM with quantization_config.quant_method = bitnet (Llama3-8B-1.58, Falcon3 1.58bit)");
    };
  }

  /**
   * Writes the checkpoint as GGUF with {@code ternaryType} (TQ2_0, TQ1_0 or I2_S) projections.
   */
  public void writeGguf(GgmlType ternaryType, OutputStream out) throws IOException {
    if (ternaryType != GgmlType.TQ2_0 && ternaryType != GgmlType.TQ1_0 && ternaryType != GgmlType.I2_S) {
      throw new IllegalArgumentException("type " + ternaryType + " is not one of tq2_0, tq1_0, i2_s");
    }
    int dim = requiredInt("hidden_size");
    int layers = requiredInt("num_hidden_layers");
    int heads = requiredInt("num_attention_heads");
    int kvHeads = config.path("num_key_value_heads").asInt(heads);
    int ffn = requiredInt("intermediate_size");
    if (config.has("head_dim") && config.path("head_dim").asInt() != dim / heads) {
      throw new UnsupportedModelException(location + ": head_dim " + config.path("head_dim").asInt() + " is not "
          + "hidden_size / num_attention_heads = " + dim / heads + "; such models are not supported");
    }
    JsonNode scaling = config.path("rope_scaling");
    if (!scaling.isMissingNode() && !scaling.isNull() && !(scaling.path("type").asText(scaling.path("rope_type").asText(""))
        .equals("linear") && scaling.path("factor").asDouble() == 1.0)) {
      throw new UnsupportedModelException(location + ": rope_scaling " + scaling + " is not supported");
    }
    checkActivation();
    String a = architecture.ggufName();
    GgufWriter w = new GgufWriter()
        .putString("general.architecture", a)
        .putString("general.name", location.replaceAll("/+$", "").replaceAll(".*/", ""))
        .putUint32(a + ".context_length", config.path("max_position_embeddings").asInt(2048))
        .putUint32(a + ".embedding_length", dim)
        .putUint32(a + ".block_count", layers)
        .putUint32(a + ".feed_forward_length", ffn)
        .putUint32(a + ".attention.head_count", heads)
        .putUint32(a + ".attention.head_count_kv", kvHeads)
        .putFloat32(a + ".attention.layer_norm_rms_epsilon", (float) config.path("rms_norm_eps").asDouble(1e-6))
        .putFloat32(a + ".rope.freq_base", (float) config.path("rope_theta").asDouble(10000))
        .putUint32(a + ".rope.dimension_count", dim / heads)
        .putUint32("general.file_type", switch (ternaryType) {
          case TQ1_0 -> 36;
          case TQ2_0 -> 37;
          default -> 40;
        });
    tokenizer().writeTo(w);
    dense(w, "token_embd.weight", "model.embed_tokens.weight", dim);
    vector(w, "output_norm.weight", "model.norm.weight");
    boolean tied = config.path("tie_word_embeddings").asBoolean(false) || !fileOfTensor.containsKey("lm_head.weight");
    if (!tied) dense(w, "output.weight", "lm_head.weight", dim);
    for (int l = 0; l < layers; l++) {
      String p = "blk." + l + ".";
      String h = "model.layers." + l + ".";
      vector(w, p + "attn_norm.weight", h + "input_layernorm.weight");
      ternary(w, ternaryType, p + "attn_q.weight", h + "self_attn.q_proj", dim, heads);
      ternary(w, ternaryType, p + "attn_k.weight", h + "self_attn.k_proj", dim, kvHeads);
      ternary(w, ternaryType, p + "attn_v.weight", h + "self_attn.v_proj", dim, 0);
      ternary(w, ternaryType, p + "attn_output.weight", h + "self_attn.o_proj", dim, 0);
      vector(w, p + "ffn_norm.weight", h + "post_attention_layernorm.weight");
      ternary(w, ternaryType, p + "ffn_gate.weight", h + "mlp.gate_proj", dim, 0);
      ternary(w, ternaryType, p + "ffn_up.weight", h + "mlp.up_proj", dim, 0);
      ternary(w, ternaryType, p + "ffn_down.weight", h + "mlp.down_proj", ffn, 0);
      if (architecture.subNorms) {
        // 1bitLLM names them inner_attn_ln / ffn_layernorm, BitNet-b1.58-2B-4T attn_sub_norm / ffn_sub_norm
        vector(w, p + "attn_sub_norm.weight", first(h + "self_attn.inner_attn_ln.weight", h + "self_attn.attn_sub_norm.weight"));
        vector(w, p + "ffn_sub_norm.weight", first(h + "mlp.ffn_layernorm.weight", h + "mlp.ffn_sub_norm.weight"));
      }
    }
    w.write(out);
  }

  private void checkActivation() {
    String act = config.path("hidden_act").asText(architecture == Architecture.BITNET_B158 ? "relu2" : "silu");
    String expected = architecture.ffnActivation == Architecture.FfnActivation.SILU ? "silu" : "relu2";
    if (!act.equals(expected)) {
      throw new UnsupportedModelException(location + ": hidden_act '" + act + "' with " + config.path("architectures")
          + "; this architecture runs " + expected);
    }
  }

  private int requiredInt(String key) {
    JsonNode v = config.path(key);
    if (!v.canConvertToInt() || v.asInt() <= 0) {
      throw new ModelFormatException(child("config.json") + ": '" + key + "' is missing or not a positive integer");
    }
    return v.asInt();
  }

  private String first(String... names) {
    for (String n : names) if (fileOfTensor.containsKey(n)) return n;
    throw missing(String.join(" or ", names));
  }

  private SafetensorsFile.Entry entry(String name) {
    SafetensorsFile f = fileOfTensor.get(name);
    if (f == null) throw missing(name);
    return f.tensors().get(name);
  }

  private ModelFormatException missing(String name) {
    return new ModelFormatException(location + ": tensor '" + name + "' is missing from the checkpoint");
  }

  /** A float tensor kept in its type (embedding, head): PyTorch [rows, columns] is GGUF [columns, rows]. */
  private void dense(GgufWriter w, String gguf, String hf, int columns) {
    SafetensorsFile.Entry e = entry(hf);
    if (e.shape().length != 2 || e.shape()[1] != columns) {
      throw new ModelFormatException(location + ": '" + hf + "' has shape " + java.util.Arrays.toString(e.shape())
          + " but [vocab, " + columns + "] is needed");
    }
    GgmlType type = switch (e.dtype()) {
      case F32 -> GgmlType.F32;
      case F16 -> GgmlType.F16;
      case BF16 -> GgmlType.BF16;
      default -> throw new UnsupportedModelException(location + ": '" + hf + "' is " + e.dtype() + "; F32, F16 or BF16 needed");
    };
    SafetensorsFile file = fileOfTensor.get(hf);
    w.tensor(gguf, type, new long[] {e.shape()[1], e.shape()[0]}, out -> {
      ByteBuffer data = file.data(e);
      byte[] buf = new byte[1 << 20];
      while (data.hasRemaining()) {
        int n = Math.min(buf.length, data.remaining());
        data.get(buf, 0, n);
        out.write(buf, 0, n);
      }
    });
  }

  /** A norm vector, written as F32. */
  private void vector(GgufWriter w, String gguf, String hf) {
    SafetensorsFile.Entry e = entry(hf);
    if (e.shape().length != 1) {
      throw new ModelFormatException(location + ": '" + hf + "' has shape " + java.util.Arrays.toString(e.shape())
          + " but a vector is needed");
    }
    float[] v = new float[(int) e.elements()];
    SafetensorsFile.floats(e, fileOfTensor.get(hf).data(e), 0, v.length, v, 0);
    w.f32(gguf, new long[] {v.length}, v);
  }

  /**
   * A projection {@code hf.weight} [out, in], ternarised: packed uint8 with {@code hf.weight_scale}, or
   * full precision through absmean. {@code permuteHeads > 0}: q/k rows permuted for NORM RoPE (llama).
   */
  private void ternary(GgufWriter w, GgmlType type, String gguf, String hf, int in, int permuteHeads) {
    String name = hf + ".weight";
    SafetensorsFile.Entry e = entry(name);
    if (e.shape().length != 2 || e.shape()[1] != in) {
      throw new ModelFormatException(location + ": '" + name + "' has shape " + java.util.Arrays.toString(e.shape())
          + " but [out, " + in + "] is needed");
    }
    boolean packed = e.dtype() == SafetensorsFile.DType.U8 || e.dtype() == SafetensorsFile.DType.I8;
    int rows = (int) (packed ? e.shape()[0] * 4 : e.shape()[0]);
    long elements = (long) rows * in;
    if (elements % 128 != 0 || (type != GgmlType.I2_S && in % 256 != 0)) {
      throw new UnsupportedModelException(location + ": '" + name + "' [" + rows + ", " + in + "] does not fit "
          + type + " blocks" + (type != GgmlType.I2_S ? "; use --type i2_s" : ""));
    }
    w.tensor(gguf, type, new long[] {in, rows}, out -> {
      TernaryWeights t = packed ? unpack(name, e, rows, in, hf) : absmean(name, e, rows, in);
      if (architecture == Architecture.LLAMA && permuteHeads > 0) t = t.permuteForNormRope(permuteHeads);
      write(t, type, out);
    });
  }

  private TernaryWeights unpack(String name, SafetensorsFile.Entry e, int rows, int in, String hf) {
    SafetensorsFile.Entry scale = entry(hf + ".weight_scale");
    if (scale.elements() != 1) throw new ModelFormatException(location + ": '" + scale.name() + "' must hold one value");
    float[] s = new float[1];
    SafetensorsFile.floats(scale, fileOfTensor.get(scale.name()).data(scale), 0, 1, s, 0);
    return TernaryWeights.hfPacked(location + ": '" + name + "'", fileOfTensor.get(name).data(e), rows, in, s[0]);
  }

  private TernaryWeights absmean(String name, SafetensorsFile.Entry e, int rows, int in) {
    float[] v = new float[Math.toIntExact(e.elements())]; // one matrix at a time, dropped once packed
    SafetensorsFile.floats(e, fileOfTensor.get(name).data(e), 0, v.length, v, 0);
    return TernaryWeights.absmean(v, rows, in);
  }

  private static void write(TernaryWeights t, GgmlType type, OutputStream out) throws IOException {
    if (type == GgmlType.I2_S) {
      ByteBuffer b = ByteBuffer.allocate(t.codes().length / 4 + 32).order(ByteOrder.LITTLE_ENDIAN);
      Quantize.i2s(t.codes(), t.codes().length, t.scale(), b);
      out.write(b.array());
      return;
    }
    ByteBuffer row = ByteBuffer.allocate((int) type.byteSize(t.columns(), 1)).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < t.rows(); r++) {
      row.clear();
      for (int b = 0; b < t.columns() / 256; b++) {
        int off = r * t.columns() + b * 256;
        if (type == GgmlType.TQ2_0) Quantize.tq2_0(t.codes(), off, t.scale(), row);
        else Quantize.tq1_0(t.codes(), off, t.scale(), row);
      }
      out.write(row.array());
    }
  }

  /** tokenizer.model if there is one (SentencePiece), else tokenizer.json; tokenizer_config.json for specials. */
  TokenizerSpec tokenizer() throws IOException {
    Optional<JsonNode> tokenizerConfig = json("tokenizer_config.json");
    Optional<ModelSource> spm = openFile("tokenizer.model");
    if (spm.isPresent()) {
      TokenizerSpec s = SentencePieceModel.read(spm.get().uri(), spm.get().slice(0, Math.toIntExact(spm.get().size())));
      boolean addBos = tokenizerConfig.map(c -> c.path("add_bos_token").asBoolean(true)).orElse(true);
      String template = tokenizerConfig.map(c -> c.path("chat_template").isTextual() ? c.path("chat_template").asText()
          : null).orElse(null);
      return s.withConfig(addBos, template);
    }
    JsonNode tokenizer = json("tokenizer.json").orElseThrow(() -> new ModelFormatException(location
        + " has neither tokenizer.model nor tokenizer.json"));
    return HfTokenizerJson.read(child("tokenizer.json"), tokenizer, tokenizerConfig.orElse(null));
  }

  private String child(String name) {
    return ModelSources.child(location, name);
  }

  private Optional<ModelSource> openFile(String name) throws IOException {
    try {
      ModelSource s = ModelSources.open(child(name));
      opened.add(s);
      return Optional.of(s);
    } catch (FileNotFoundException e) {
      return Optional.empty();
    }
  }

  private Optional<JsonNode> json(String name) throws IOException {
    Optional<ModelSource> s = openFile(name);
    if (s.isEmpty()) return Optional.empty();
    ByteBuffer b = s.get().slice(0, Math.toIntExact(s.get().size()));
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    try {
      return Optional.of(JSON.readTree(new String(bytes, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new ModelFormatException(child(name) + " is not valid JSON: " + e.getMessage());
    }
  }

  @Override
  public void close() throws IOException {
    for (ModelSource s : opened) s.close();
  }

  /** An OutputStream into 64 MiB chunks, so an in-memory model may exceed 2 GiB. */
  private static final class ChunkOutput extends OutputStream {
    private static final int CHUNK = 64 << 20;
    private final List<byte[]> chunks = new ArrayList<>();
    private byte[] current = new byte[CHUNK];
    private int used;

    @Override
    public void write(int b) {
      if (used == current.length) flushChunk();
      current[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      while (len > 0) {
        if (used == current.length) flushChunk();
        int n = Math.min(len, current.length - used);
        System.arraycopy(b, off, current, used, n);
        used += n;
        off += n;
        len -= n;
      }
    }

    private void flushChunk() {
      chunks.add(current);
      current = new byte[CHUNK];
      used = 0;
    }

    List<byte[]> chunks() {
      List<byte[]> out = new ArrayList<>(chunks);
      out.add(java.util.Arrays.copyOf(current, used));
      return out;
    }
  }
}
