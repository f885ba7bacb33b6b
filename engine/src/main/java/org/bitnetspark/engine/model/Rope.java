package org.bitnetspark.engine.model;

/**
 * Rotary position embedding. NEOX mode, the mode llama.cpp uses for BitNet (FORMATS.md section 3):
 * within each head, element i is paired with element i + d/2 and rotated by
 * {@code pos * theta^(-2i/d)} (divided by the optional frequency factor of pair i). NORM mode
 * (llama.cpp's {@code llama} arch) pairs elements 2i and 2i+1 with the same angles; its converter
 * permutes the q/k rows so that both give the same attention.
 */
final class Rope {
  private final int headDim;
  private final boolean neox;
  private final float[] inverseFrequency;

  Rope(int headDim, float theta, float[] freqFactors, boolean neox) {
    this.headDim = headDim;
    this.neox = neox;
    this.inverseFrequency = new float[headDim / 2];
    // ggml advances theta by repeated multiplication in float; do the same so angles agree to the ulp
    float thetaScale = (float) Math.pow(theta, -2.0 / headDim);
    float f = 1f;
    for (int i = 0; i < headDim / 2; i++) {
      inverseFrequency[i] = freqFactors == null ? f : f / freqFactors[i];
      f *= thetaScale;
    }
  }

  /** Rotates {@code heads} consecutive heads of {@code v} starting at {@code off}. */
  void rotate(float[] v, int off, int heads, int pos) {
    int half = headDim / 2;
    int partner = neox ? half : 1; // distance from an element to the one it rotates with
    for (int i = 0; i < half; i++) {
      float angle = pos * inverseFrequency[i];
      float cos = (float) Math.cos(angle);
      float sin = (float) Math.sin(angle);
      for (int h = 0; h < heads; h++) {
        int a = off + h * headDim + (neox ? i : 2 * i);
        float x0 = v[a];
        float x1 = v[a + partner];
        v[a] = x0 * cos - x1 * sin;
        v[a + partner] = x0 * sin + x1 * cos;
      }
    }
  }
}
