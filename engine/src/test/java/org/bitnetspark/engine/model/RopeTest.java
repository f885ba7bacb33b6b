package org.bitnetspark.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * NORM RoPE over llama.cpp's permuted q/k rows gives the attention scores of NEOX RoPE over the
 * original rows: the reason the {@code llama} arch can run Hugging Face's rotate-half weights once
 * they are permuted as llama.cpp's converter does.
 */
class RopeTest {
  @Test
  void normRopeOnPermutedRowsEqualsNeoxOnOriginalRows() {
    int headDim = 8;
    SplittableRandom r = new SplittableRandom(5);
    float[] q = new float[headDim];
    float[] k = new float[headDim];
    for (int i = 0; i < headDim; i++) {
      q[i] = (float) r.nextDouble(-1, 1);
      k[i] = (float) r.nextDouble(-1, 1);
    }
    Rope neox = new Rope(headDim, 10000f, null, true);
    Rope norm = new Rope(headDim, 10000f, null, false);
    float[] qn = q.clone();
    float[] kn = k.clone();
    neox.rotate(qn, 0, 1, 7);
    neox.rotate(kn, 0, 1, 3);
    float[] qp = permute(q);
    float[] kp = permute(k);
    norm.rotate(qp, 0, 1, 7);
    norm.rotate(kp, 0, 1, 3);
    // element by element: NORM's output is NEOX's output permuted
    float[] expected = permute(qn);
    for (int i = 0; i < headDim; i++) assertEquals(expected[i], qp[i], 1e-6f, "element " + i);
    assertEquals(dot(qn, kn), dot(qp, kp), 1e-5f, "the attention score q.k");
    // by hand: pair 0 of NORM is (x0, x1) rotated by pos * theta^0 = 7 rad
    float[] v = {1, 0, 0, 0, 0, 0, 0, 0};
    norm.rotate(v, 0, 1, 7);
    assertEquals((float) Math.cos(7), v[0], 1e-6f);
    assertEquals((float) Math.sin(7), v[1], 1e-6f);
  }

  /** llama.cpp's q/k permutation of one head: new element 2j + i is old element i * d/2 + j. */
  private static float[] permute(float[] x) {
    int half = x.length / 2;
    float[] out = new float[x.length];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < half; j++) out[2 * j + i] = x[i * half + j];
    }
    return out;
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }
}
