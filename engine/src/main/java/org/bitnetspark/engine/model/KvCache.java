package org.bitnetspark.engine.model;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.bitnetspark.engine.kernel.HalfDecoder;
import org.bitnetspark.engine.quant.Float16;

/**
 * The keys and values of one sequence, for every layer and position up to {@code capacity}. F32
 * keeps them exact; F16 halves the memory and, like llama.cpp's default F16 cache, also rounds the
 * query and the attention weights to F16 for the two products (FORMATS.md section 3, precision 1).
 * Not thread-safe: one sequence, one writer.
 */
public abstract sealed class KvCache permits KvCache.F32, KvCache.F16 {

  /** Element type of the cache, as the {@code --kv-cache} option names it. */
  public enum Type {
    F32, F16;

    public static Type parse(String s) {
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("kv-cache '" + s + "' is not one of f32, f16");
      }
    }

    public int bytesPerValue() {
      return this == F32 ? 4 : 2;
    }
  }

  private static final AtomicInteger IDS = new AtomicInteger();

  protected final int layers;
  protected final int capacity;
  protected final int kvDim;
  private final int id = IDS.incrementAndGet();

  KvCache(int layers, int capacity, int kvDim) {
    this.layers = layers;
    this.capacity = capacity;
    this.kvDim = kvDim;
  }

  /** A cache for every layer and kv head of the model. */
  public static KvCache create(Type type, ModelConfig c, int capacity) {
    return create(type, c, capacity, c.layers(), c.kvDim());
  }

  /** A cache for {@code layers} layers of {@code kvDim} key/value values each: one model part's share. */
  public static KvCache create(Type type, ModelConfig c, int capacity, int layers, int kvDim) {
    if (capacity < 1 || capacity > c.contextLength()) {
      throw new IllegalArgumentException("KV cache capacity " + capacity + " must be between 1 and the context length "
          + c.contextLength());
    }
    return type == Type.F32 ? new F32(layers, capacity, kvDim) : new F16(layers, capacity, kvDim);
  }

  /** Unique in this JVM: how a model-parallel group names this sequence's cache to its peers. */
  public int id() {
    return id;
  }

  public int capacity() {
    return capacity;
  }

  public abstract Type type();

  /** Bytes held by this cache. */
  public long sizeBytes() {
    return 2L * layers * capacity * kvDim * type().bytesPerValue();
  }

  /**
   * Copies positions {@code 0 .. positions-1} of every layer from {@code source}, a cache of the same
   * type and model, so several continuations can share one computed prefix (multiple-choice scoring).
   */
  public void copyPrefixFrom(KvCache source, int positions) {
    if (source.type() != type() || source.layers != layers || source.kvDim != kvDim) {
      throw new IllegalArgumentException("cannot copy a " + source.type() + " cache of another shape into a " + type()
          + " cache");
    }
    if (positions < 0 || positions > capacity || positions > source.capacity) {
      throw new IllegalArgumentException("cannot copy " + positions + " positions between caches of capacity "
          + source.capacity + " and " + capacity);
    }
    for (int l = 0; l < layers; l++) {
      copyRange(source, l * source.capacity * kvDim, l * capacity * kvDim, positions * kvDim);
    }
  }

  /** Copies {@code n} keys and values from {@code source} (same type) at {@code from} to this cache at {@code to}. */
  abstract void copyRange(KvCache source, int from, int to, int n);

  abstract void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff);

  /** key[pos][off .. off+n) of {@code layer} as floats into {@code dst[0, n)}; F16 converts with {@code half}. */
  abstract void readKey(int layer, int pos, int off, int n, float[] dst, HalfDecoder half);

  /** value[pos][off .. off+n) of {@code layer} as floats into {@code dst[dstOff, dstOff+n)}; F16 converts with {@code half}. */
  abstract void readValue(int layer, int pos, int off, int n, float[] dst, int dstOff, HalfDecoder half);

  /** The query as the key product sees it. */
  abstract void roundQuery(float[] q, int off, int n);

  /** An attention weight as the value product sees it. */
  abstract float roundWeight(float p);

  static final class F32 extends KvCache {
    private final float[] keys;
    private final float[] values;

    F32(int layers, int capacity, int kvDim) {
      super(layers, capacity, kvDim);
      keys = new float[layers * capacity * kvDim];
      values = new float[layers * capacity * kvDim];
    }

    @Override
    public Type type() {
      return Type.F32;
    }

    @Override
    void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
      int base = (layer * capacity + pos) * kvDim;
      System.arraycopy(k, kOff, keys, base, kvDim);
      System.arraycopy(v, vOff, values, base, kvDim);
    }

    @Override
    void copyRange(KvCache source, int from, int to, int n) {
      F32 src = (F32) source;
      System.arraycopy(src.keys, from, keys, to, n);
      System.arraycopy(src.values, from, values, to, n);
    }

    @Override
    void readKey(int layer, int pos, int off, int n, float[] dst, HalfDecoder half) {
      System.arraycopy(keys, (layer * capacity + pos) * kvDim + off, dst, 0, n);
    }

    @Override
    void readValue(int layer, int pos, int off, int n, float[] dst, int dstOff, HalfDecoder half) {
      System.arraycopy(values, (layer * capacity + pos) * kvDim + off, dst, dstOff, n);
    }

    @Override
    void roundQuery(float[] q, int off, int n) {}

    @Override
    float roundWeight(float p) {
      return p;
    }
  }

  static final class F16 extends KvCache {
    private final short[] keys;
    private final short[] values;

    F16(int layers, int capacity, int kvDim) {
      super(layers, capacity, kvDim);
      keys = new short[layers * capacity * kvDim];
      values = new short[layers * capacity * kvDim];
    }

    @Override
    public Type type() {
      return Type.F16;
    }

    @Override
    void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
      int base = (layer * capacity + pos) * kvDim;
      for (int i = 0; i < kvDim; i++) {
        keys[base + i] = Float16.fromFloat(k[kOff + i]);
        values[base + i] = Float16.fromFloat(v[vOff + i]);
      }
    }

    @Override
    void copyRange(KvCache source, int from, int to, int n) {
      F16 src = (F16) source;
      System.arraycopy(src.keys, from, keys, to, n);
      System.arraycopy(src.values, from, values, to, n);
    }

    @Override
    void readKey(int layer, int pos, int off, int n, float[] dst, HalfDecoder half) {
      half.decode(keys, (layer * capacity + pos) * kvDim + off, dst, 0, n);
    }

    @Override
    void readValue(int layer, int pos, int off, int n, float[] dst, int dstOff, HalfDecoder half) {
      half.decode(values, (layer * capacity + pos) * kvDim + off, dst, dstOff, n);
    }

    @Override
    void roundQuery(float[] q, int off, int n) {
      for (int i = off; i < off + n; i++) q[i] = Float16.round(q[i]);
    }

    @Override
    float roundWeight(float p) {
      return Float16.round(p);
    }
  }
}
