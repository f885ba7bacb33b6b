package org.bitnetspark.engine.model;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.TensorInfo;

/**
 * What a model file holds and what it will cost in memory, without loading it: per tensor its
 * layer, type, shape, bytes in the file, bits per weight and the bytes it will take once loaded
 * (ternary projections are repacked to 2 bits per weight plus one f32 scale per 256 weights or per
 * row; everything else is kept as stored). Used by {@code bitnet-engine info} and the notebooks.
 */
public final class ModelInspection {
  private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.");

  /**
   * One tensor.
   *
   * @param layer the block index, or -1 for embeddings, the output norm and head
   * @param ternary a linear-layer weight (repacked to 2 bits at load)
   */
  public record Tensor(String name, int layer, String type, String shape, long elements, long fileBytes,
      double bitsPerWeight, long residentBytes, boolean ternary) {}

  private ModelInspection() {}

  public static List<Tensor> tensors(GgufFile f) {
    List<Tensor> out = new ArrayList<>();
    for (TensorInfo t : f.tensors().values()) {
      boolean ternary = isProjection(t);
      long resident = ternary ? t.elements() / 4 + 4 * Math.max(t.rows(), t.elements() / 256) : t.sizeBytes();
      Matcher m = LAYER.matcher(t.name());
      out.add(new Tensor(t.name(), m.find() ? Integer.parseInt(m.group(1)) : -1, t.type().toString(), t.shapeString(),
          t.elements(), t.sizeBytes(), 8.0 * t.sizeBytes() / t.elements(), resident, ternary));
    }
    return out;
  }

  /** Linear-layer weights: 2-D tensors other than the embedding and the head. */
  static boolean isProjection(TensorInfo t) {
    return t.shape().length == 2 && !t.name().startsWith("token_embd") && !t.name().startsWith("output.");
  }

  /** The metadata as key and printable value (arrays shortened to their first five values and length). */
  public static Map<String, String> metadata(GgufFile f) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, Object> e : f.metadata().asMap().entrySet()) out.put(e.getKey(), describe(e.getValue()));
    return out;
  }

  static String describe(Object v) {
    if (v.getClass().isArray()) {
      int n = Array.getLength(v);
      StringBuilder s = new StringBuilder("[" + n + " values: ");
      for (int i = 0; i < Math.min(n, 5); i++) s.append(i > 0 ? ", " : "").append(Array.get(v, i));
      return s.append(n > 5 ? ", ...]" : "]").toString();
    }
    return String.valueOf(v);
  }
}
