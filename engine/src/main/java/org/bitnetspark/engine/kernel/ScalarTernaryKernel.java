package org.bitnetspark.engine.kernel;

import org.bitnetspark.engine.tensor.TernaryMatrix;

/** The reference kernel: plain loops over the packed layout, obviously right. */
public final class ScalarTernaryKernel implements TernaryKernel {

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public void matmul(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    if (w.layout() != TernaryMatrix.Layout.ROW_GROUPS) {
      matmulUnpacked(w, x, out, rowStart, rowEnd);
      return;
    }
    int cols = w.cols();
    int rows = w.rows();
    byte[] codes = w.codes();
    float[] scales = w.scales();
    int wBlock = w.scaleBlockSize();
    int wBlocks = w.scaleBlocksPerRow();
    int aBlock = x.blockSize;
    int aBlocks = cols / aBlock;
    // segments where both scales are constant: the smaller block divides the larger
    int segment = Math.min(wBlock, aBlock);
    int rowBytes = cols / 4;
    byte[] q = x.q;
    float[] d = x.d;
    for (int r = rowStart; r < rowEnd; r++) {
      int rowBase = r * rowBytes;
      for (int b = 0; b < x.batch; b++) {
        int qBase = b * cols;
        float sum = 0;
        for (int s = 0; s < cols; s += segment) {
          int isum = 0;
          for (int g = s; g < s + segment; g += TernaryMatrix.GROUP) {
            int byteBase = rowBase + g / 4;
            int qg = qBase + g;
            for (int j = 0; j < TernaryMatrix.GROUP_BYTES; j++) {
              int c = codes[byteBase + j];
              isum += ((c & 3) - 1) * q[qg + j]
                  + (((c >> 2) & 3) - 1) * q[qg + j + 32]
                  + (((c >> 4) & 3) - 1) * q[qg + j + 64]
                  + (((c >> 6) & 3) - 1) * q[qg + j + 96];
            }
          }
          sum += isum * (d[b * aBlocks + s / aBlock] * scales[r * wBlocks + s / wBlock]);
        }
        out[b * rows + r] = sum;
      }
    }
  }

  @Override
  public void matmulFloat(TernaryMatrix w, float[] x, int batch, float[] out, int rowStart, int rowEnd) {
    if (w.layout() != TernaryMatrix.Layout.ROW_GROUPS) {
      matmulFloatUnpacked(w, x, batch, out, rowStart, rowEnd);
      return;
    }
    int cols = w.cols();
    int rows = w.rows();
    byte[] codes = w.codes();
    float[] scales = w.scales();
    int wBlock = w.scaleBlockSize();
    int wBlocks = w.scaleBlocksPerRow();
    int rowBytes = cols / 4;
    for (int r = rowStart; r < rowEnd; r++) {
      int rowBase = r * rowBytes;
      for (int b = 0; b < batch; b++) {
        int xBase = b * cols;
        float sum = 0;
        for (int s = 0; s < cols; s += wBlock) {
          float part = 0;
          for (int g = s; g < s + wBlock; g += TernaryMatrix.GROUP) {
            int byteBase = rowBase + g / 4;
            int xg = xBase + g;
            for (int j = 0; j < TernaryMatrix.GROUP_BYTES; j++) {
              int c = codes[byteBase + j];
              part += ((c & 3) - 1) * x[xg + j]
                  + (((c >> 2) & 3) - 1) * x[xg + j + 32]
                  + (((c >> 4) & 3) - 1) * x[xg + j + 64]
                  + (((c >> 6) & 3) - 1) * x[xg + j + 96];
            }
          }
          sum += part * scales[r * wBlocks + s / wBlock];
        }
        out[b * rows + r] = sum;
      }
    }
  }

  /** {@link #matmul} for any other layout: each row unpacked to natural order first, the same sums. */
  private static void matmulUnpacked(TernaryMatrix w, QuantizedActivations x, float[] out, int rowStart, int rowEnd) {
    int cols = w.cols();
    int aBlock = x.blockSize;
    int segment = Math.min(w.scaleBlockSize(), aBlock);
    byte[] codes = new byte[cols];
    for (int r = rowStart; r < rowEnd; r++) {
      w.unpackRow(r, codes);
      for (int b = 0; b < x.batch; b++) {
        int qBase = b * cols;
        float sum = 0;
        for (int s = 0; s < cols; s += segment) {
          int isum = 0;
          for (int k = s; k < s + segment; k++) isum += (codes[k] - 1) * x.q[qBase + k];
          sum += isum * (x.d[b * (cols / aBlock) + s / aBlock] * w.scale(r, s / w.scaleBlockSize()));
        }
        out[b * w.rows() + r] = sum;
      }
    }
  }

  private static void matmulFloatUnpacked(TernaryMatrix w, float[] x, int batch, float[] out, int rowStart, int rowEnd) {
    int cols = w.cols();
    int wBlock = w.scaleBlockSize();
    byte[] codes = new byte[cols];
    for (int r = rowStart; r < rowEnd; r++) {
      w.unpackRow(r, codes);
      for (int b = 0; b < batch; b++) {
        float sum = 0;
        for (int s = 0; s < cols; s += wBlock) {
          float part = 0;
          // the group layout's order (weights j, j+32, j+64, j+96 together), so that float sums do not
          // depend on the layout
          for (int g = s; g < s + wBlock; g += TernaryMatrix.GROUP) {
            int xg = b * cols + g;
            for (int j = 0; j < TernaryMatrix.GROUP_BYTES; j++) {
              part += (codes[g + j] - 1) * x[xg + j]
                  + (codes[g + j + 32] - 1) * x[xg + j + 32]
                  + (codes[g + j + 64] - 1) * x[xg + j + 64]
                  + (codes[g + j + 96] - 1) * x[xg + j + 96];
            }
          }
          sum += part * w.scale(r, s / wBlock);
        }
        out[b * w.rows() + r] = sum;
      }
    }
  }
}
