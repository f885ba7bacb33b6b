package org.bitnetspark.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.SplittableRandom;
import org.bitnetspark.engine.kernel.ActivationQuant;
import org.bitnetspark.engine.kernel.FloatDot;
import org.bitnetspark.engine.kernel.HalfDecoder;
import org.bitnetspark.engine.kernel.Kernels;
import org.bitnetspark.engine.testing.Engines;
import org.bitnetspark.engine.testing.SharedData;
import org.junit.jupiter.api.Test;

class KvCacheTest {

  /**
   * With the F16 cache (keys, values, queries and attention weights rounded to fp16, as llama.cpp's
   * default cache does) the F32 model's logits move by up to about 1e-2 from the F32-cache reference
   * (shared/data/reference/README.md); they must stay within that, and the top token must not change.
   */
  @Test
  void f16CacheStaysWithinTheDocumentedDistanceOfTheF32Reference() {
    BitNetModel m = SharedData.loadModel("tiny-bitnet-spm-f32");
    JsonNode prompt = SharedData.json("data/reference/logits-tiny-bitnet-spm-f32.json").get("prompts").get(2);
    int[] tokens = SharedData.ints(prompt.get("prompt_tokens"));
    KvCache cache = KvCache.create(KvCache.Type.F16, m.config(), tokens.length);
    Batch b = new Batch();
    b.addSequence(tokens, 0, cache, false);
    float[] ours = Engines.forward(m, ActivationQuant.NONE).forward(b);
    float[] expected = SharedData.floats(prompt.get("logits_last"));
    double max = 0;
    for (int v = 0; v < expected.length; v++) max = Math.max(max, Math.abs(expected[v] - ours[v]));
    assertTrue(max < 2e-2, "F16 cache: max |diff| " + max);
    assertTrue(max > 1e-5, "F16 cache should differ measurably from F32 (it rounds); diff " + max);
    int top = 0;
    int refTop = 0;
    for (int v = 1; v < expected.length; v++) {
      if (ours[v] > ours[top]) top = v;
      if (expected[v] > expected[refTop]) refTop = v;
    }
    assertEquals(refTop, top);
    assertEquals(2L * 4 * tokens.length * 128 * 2, cache.sizeBytes(), "2 (K,V) x layers x positions x kvDim x 2 bytes");
  }

  /** Two layers, two kv heads of four dimensions: small enough to check every stored value. */
  private static final ModelConfig SMALL = new ModelConfig(Architecture.BITNET, 16, 32, 2, 4, 2, 100, 64, 1e-5f, 10000f);

  /** Key and value of a layer, position and dimension, distinct everywhere and exact in half precision. */
  private static float key(int layer, int pos, int d) {
    return 100 * layer + pos + d / 8f;
  }

  private static float value(int layer, int pos, int d) {
    return -(100 * layer + pos) - d / 16f;
  }

  private static KvCache filled(KvCache.Type type, int capacity, int positions) {
    KvCache cache = KvCache.create(type, SMALL, capacity);
    int kvDim = SMALL.kvDim();
    float[] k = new float[kvDim + 3];
    float[] v = new float[kvDim + 5];
    for (int l = 0; l < SMALL.layers(); l++) {
      for (int p = 0; p < positions; p++) {
        for (int d = 0; d < kvDim; d++) {
          k[3 + d] = key(l, p, d);
          v[5 + d] = value(l, p, d);
        }
        cache.store(l, p, k, 3, v, 5);
      }
    }
    return cache;
  }

  /**
   * Keys come back dimension by dimension over a range of positions, values position by position, for a
   * head's slice of the dimensions, whatever the cache's layout: every value checked against what was stored.
   */
  @Test
  void readsBackWhatWasStoredForEveryLayerHeadAndPosition() {
    for (KvCache.Type type : KvCache.Type.values()) {
      KvCache cache = filled(type, 12, 9);
      int hd = SMALL.headDim();
      for (int l = 0; l < SMALL.layers(); l++) {
        for (int off = 0; off < SMALL.kvDim(); off += hd) {
          int stride = 11;
          float[] keys = new float[hd * stride];
          float[] values = new float[9 * hd];
          cache.readKeys(l, off, hd, 2, 9, keys, stride, HalfDecoder.SCALAR);
          cache.readValues(l, off, hd, 2, 9, values, HalfDecoder.SCALAR);
          for (int i = 0; i < hd; i++) {
            assertEquals(0f, keys[i * stride + 1], "positions before the range are not read");
            for (int t = 2; t < 9; t++) {
              assertEquals(key(l, t, off + i), keys[i * stride + t], type + " key " + l + "/" + t + "/" + (off + i));
              assertEquals(value(l, t, off + i), values[t * hd + i], type + " value " + l + "/" + t + "/" + (off + i));
            }
          }
        }
      }
    }
  }

  /** A copied prefix reads back as the source's, layer by layer, into a cache of another capacity. */
  @Test
  void copiesAPrefixIntoACacheOfAnotherCapacity() {
    for (KvCache.Type type : KvCache.Type.values()) {
      KvCache source = filled(type, 12, 9);
      KvCache target = KvCache.create(type, SMALL, 7);
      target.copyPrefixFrom(source, 5);
      int kvDim = SMALL.kvDim();
      float[] keys = new float[kvDim * 7];
      float[] values = new float[7 * kvDim];
      for (int l = 0; l < SMALL.layers(); l++) {
        target.readKeys(l, 0, kvDim, 0, 7, keys, 7, HalfDecoder.SCALAR);
        target.readValues(l, 0, kvDim, 0, 7, values, HalfDecoder.SCALAR);
        for (int d = 0; d < kvDim; d++) {
          for (int t = 0; t < 7; t++) {
            assertEquals(t < 5 ? key(l, t, d) : 0f, keys[d * 7 + t], type + " key " + l + "/" + t + "/" + d);
            assertEquals(t < 5 ? value(l, t, d) : 0f, values[t * kvDim + d], type + " value " + l + "/" + t + "/" + d);
          }
        }
      }
    }
  }

  /**
   * Multiplying straight from the cache gives the bits of reading the positions out and multiplying the
   * floats (attention takes either way, by whether rows share the cache). Random keys and values, rounded
   * queries and weights, both cache types, both kernels.
   */
  @Test
  void directProductsEqualReadThenMultiply() {
    java.util.List<FloatDot> kernels = new java.util.ArrayList<>(java.util.List.of(FloatDot.SCALAR));
    if (Kernels.vectorAvailable()) kernels.add(Kernels.create(Kernels.Choice.VECTOR).floatDot());
    SplittableRandom r = new SplittableRandom(31);
    int kvDim = SMALL.kvDim();
    int hd = SMALL.headDim();
    int positions = 37;
    for (KvCache.Type type : KvCache.Type.values()) {
      KvCache cache = KvCache.create(type, SMALL, 40);
      float[] k = new float[kvDim];
      float[] v = new float[kvDim];
      for (int l = 0; l < SMALL.layers(); l++) {
        for (int p = 0; p < positions; p++) {
          for (int d = 0; d < kvDim; d++) {
            k[d] = (float) (r.nextGaussian() * 3);
            v[d] = (float) r.nextGaussian();
          }
          cache.store(l, p, k, 0, v, 0);
        }
      }
      assertTrue(cache.multipliesDirectly(), type + ": finite keys and values");
      for (FloatDot dot : kernels) {
        float[] q = new float[hd];
        float[] w = new float[positions];
        for (int i = 0; i < hd; i++) q[i] = (float) r.nextGaussian();
        for (int t = 0; t < positions; t++) w[t] = cache.roundWeight(r.nextFloat() / positions);
        cache.roundQuery(q, 0, hd);
        int l = 1;
        int off = hd;
        float[] keys = new float[hd * positions];
        float[] values = new float[positions * hd];
        cache.readKeys(l, off, hd, 0, positions, keys, positions, HalfDecoder.SCALAR);
        cache.readValues(l, off, hd, 0, positions, values, HalfDecoder.SCALAR);
        float[] wantScores = new float[positions];
        float[] gotScores = new float[positions];
        FloatDot.SCALAR.vectorTimesMatrix(q, 0, hd, keys, 0, positions, positions, wantScores, 0);
        cache.scores(l, off, hd, q, 0, positions, gotScores, dot);
        float[] wantOut = new float[hd];
        float[] gotOut = new float[hd];
        FloatDot.SCALAR.vectorTimesMatrix(w, 0, positions, values, 0, hd, hd, wantOut, 0);
        cache.weightedValues(l, off, hd, w, positions, gotOut, 0, dot);
        for (int t = 0; t < positions; t++) {
          assertEquals(Float.floatToRawIntBits(wantScores[t]), Float.floatToRawIntBits(gotScores[t]), type + " score " + t);
        }
        for (int i = 0; i < hd; i++) {
          assertEquals(Float.floatToRawIntBits(wantOut[i]), Float.floatToRawIntBits(gotOut[i]), type + " output " + i);
        }
      }
    }
  }

  /**
   * An F16 cache that stored an infinity (an overflowing key) no longer multiplies straight from its halves,
   * whose scaled form cannot express one, and neither does a cache that copies its prefix.
   */
  @Test
  void anInfiniteHalfSendsAttentionThroughTheExactConversion() {
    KvCache cache = filled(KvCache.Type.F16, 8, 3);
    assertTrue(cache.multipliesDirectly());
    float[] k = new float[SMALL.kvDim()];
    float[] v = new float[SMALL.kvDim()];
    k[5] = 1e6f; // beyond the largest half, 65504
    cache.store(0, 3, k, 0, v, 0);
    assertFalse(cache.multipliesDirectly());
    KvCache copy = KvCache.create(KvCache.Type.F16, SMALL, 8);
    copy.copyPrefixFrom(cache, 4);
    assertFalse(copy.multipliesDirectly());
    KvCache values = filled(KvCache.Type.F16, 8, 3);
    v[0] = Float.NaN;
    values.store(1, 3, new float[SMALL.kvDim()], 0, v, 0);
    assertFalse(values.multipliesDirectly(), "a NaN value");
    assertTrue(filled(KvCache.Type.F32, 8, 3).multipliesDirectly());
  }
}
