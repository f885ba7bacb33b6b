package org.bitnetspark.engine.model;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.bitnetspark.engine.kernel.FloatDot;
import org.bitnetspark.engine.kernel.HalfDecoder;
import org.bitnetspark.engine.quant.Float16;

/**
 * The keys and values of one sequence, for every layer and position up to {@code capacity}. F32
 * keeps them exact; F16 halves the memory and, like llama.cpp's default F16 cache, also rounds the
 * query and the attention weights to F16 for the two products (FORMATS.md section 3, precision 1).
 * Not thread-safe: one sequence, one writer.
 *
 * <p>Keys are stored transposed, dimension by dimension ({@code [layer][dim][position]}), values position
 * by position ({@code [layer][position][dim]}): attention multiplies the query by the keys as a matrix of
 * positions and the weights by the values as a matrix of dimensions, and both layouts let a head's positions
 * be read as contiguous runs. Keys stored position by position had to be scattered into that order on every
 * read, once per position and dimension.
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
    copiedFrom(source);
    for (int l = 0; l < layers; l++) {
      for (int d = 0; d < kvDim; d++) {
        int row = l * kvDim + d;
        System.arraycopy(source.keys(), row * source.capacity, keys(), row * capacity, positions);
      }
      System.arraycopy(source.values(), l * source.capacity * kvDim, values(), l * capacity * kvDim, positions * kvDim);
    }
  }

  /** Takes over what {@link #copyPrefixFrom} needs to know of a source's contents besides its arrays. */
  void copiedFrom(KvCache source) {}

  /** The keys' array ({@code float[]} or {@code short[]}), {@code [layer][dim][position]}. */
  abstract Object keys();

  /** The values' array ({@code float[]} or {@code short[]}), {@code [layer][position][dim]}. */
  abstract Object values();

  /** Where key dimension {@code dim} of {@code layer} starts: its positions follow one another. */
  final int keyRun(int layer, int dim) {
    return (layer * kvDim + dim) * capacity;
  }

  /** Where the values of {@code layer} at {@code pos} start: its dimensions follow one another. */
  final int valueRow(int layer, int pos) {
    return (layer * capacity + pos) * kvDim;
  }

  abstract void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff);

  /**
   * Key dimensions {@code [off, off+n)} of {@code layer} at positions {@code [from, to)} as floats:
   * dimension {@code off+i} into {@code dst[i·stride + from .. i·stride + to)}. F16 converts with {@code half}.
   */
  final void readKeys(int layer, int off, int n, int from, int to, float[] dst, int stride, HalfDecoder half) {
    for (int i = 0; i < n; i++) read(keys(), keyRun(layer, off + i) + from, dst, i * stride + from, to - from, half);
  }

  /**
   * Value dimensions {@code [off, off+n)} of {@code layer} at positions {@code [from, to)} as floats:
   * position {@code t} into {@code dst[t·n .. t·n + n)}. F16 converts with {@code half}.
   */
  final void readValues(int layer, int off, int n, int from, int to, float[] dst, HalfDecoder half) {
    for (int t = from; t < to; t++) read(values(), valueRow(layer, t) + off, dst, t * n, n, half);
  }

  /** {@code n} stored values from {@code array[index]} as floats into {@code dst[dstOff]}. */
  abstract void read(Object array, int index, float[] dst, int dstOff, int n, HalfDecoder half);

  /**
   * Whether attention may multiply straight from this cache ({@link #scores}, {@link #weightedValues}) instead
   * of reading the positions out first: always for F32; for F16 while every stored half is finite (the
   * half products' precondition). Reading out pays off only when several rows share the floats (a prefill).
   */
  abstract boolean multipliesDirectly();

  /**
   * A query's scores against positions {@code [0, positions)} of key dimensions {@code [off, off+n)}:
   * {@code scores[t] = Σ_i q[qOff+i]·key[off+i][t]}, each its own sum in dimension order
   * ({@link FloatDot#vectorTimesMatrix}; the query already as {@link #roundQuery} leaves it).
   */
  final void scores(int layer, int off, int n, float[] q, int qOff, int positions, float[] scores, FloatDot dot) {
    multiply(q, qOff, n, keys(), keyRun(layer, off), capacity, positions, scores, 0, dot);
  }

  /**
   * The attention weights times the values of dimensions {@code [off, off+n)}:
   * {@code out[outOff+i] = Σ_t w[t]·value[t][off+i]} over {@code t < positions}, in position order.
   */
  final void weightedValues(int layer, int off, int n, float[] w, int positions, float[] out, int outOff, FloatDot dot) {
    multiply(w, 0, positions, values(), valueRow(layer, 0) + off, kvDim, n, out, outOff, dot);
  }

  /** {@link FloatDot#vectorTimesMatrix} over one of this cache's arrays (its half form for F16). */
  abstract void multiply(float[] a, int aOff, int rows, Object matrix, int mOff, int stride, int cols, float[] out,
      int outOff, FloatDot dot);

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
    Object keys() {
      return keys;
    }

    @Override
    Object values() {
      return values;
    }

    @Override
    void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
      for (int d = 0; d < kvDim; d++) keys[keyRun(layer, d) + pos] = k[kOff + d];
      System.arraycopy(v, vOff, values, valueRow(layer, pos), kvDim);
    }

    @Override
    void read(Object array, int index, float[] dst, int dstOff, int n, HalfDecoder half) {
      System.arraycopy(array, index, dst, dstOff, n);
    }

    @Override
    boolean multipliesDirectly() {
      return true;
    }

    @Override
    void multiply(float[] a, int aOff, int rows, Object matrix, int mOff, int stride, int cols, float[] out, int outOff,
        FloatDot dot) {
      dot.vectorTimesMatrix(a, aOff, rows, (float[]) matrix, mOff, stride, cols, out, outOff);
    }

    @Override
    void roundQuery(float[] q, int off, int n) {}

    @Override
    float roundWeight(float p) {
      return p;
    }
  }

  static final class F16 extends KvCache {
    /** A half's exponent bits: all ones only for infinities and NaNs, which carry into bit 15 when one is added. */
    private static final int EXPONENT = 0x7c00;
    private static final int ONE_EXPONENT = 0x0400;
    private static final int OVERFLOW = 0x8000;
    private final short[] keys;
    private final short[] values;
    /** No infinity or NaN stored (an overflowing key or value); false for good once one is. */
    private boolean allFinite = true;

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
    Object keys() {
      return keys;
    }

    @Override
    Object values() {
      return values;
    }

    @Override
    void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
      int base = valueRow(layer, pos);
      int exponents = 0; // all ones in both halves' exponent bits only where one is an infinity or a NaN
      for (int d = 0; d < kvDim; d++) {
        short key = Float16.fromFloat(k[kOff + d]);
        short value = Float16.fromFloat(v[vOff + d]);
        keys[keyRun(layer, d) + pos] = key;
        values[base + d] = value;
        exponents |= ((key & EXPONENT) + ONE_EXPONENT) | ((value & EXPONENT) + ONE_EXPONENT);
      }
      if ((exponents & OVERFLOW) != 0) allFinite = false;
    }

    @Override
    void read(Object array, int index, float[] dst, int dstOff, int n, HalfDecoder half) {
      half.decode((short[]) array, index, dst, dstOff, n);
    }

    @Override
    boolean multipliesDirectly() {
      return allFinite;
    }

    @Override
    void copiedFrom(KvCache source) {
      allFinite &= ((F16) source).allFinite;
    }

    @Override
    void multiply(float[] a, int aOff, int rows, Object matrix, int mOff, int stride, int cols, float[] out, int outOff,
        FloatDot dot) {
      dot.vectorTimesHalfMatrix(a, aOff, rows, (short[]) matrix, mOff, stride, cols, out, outOff);
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
